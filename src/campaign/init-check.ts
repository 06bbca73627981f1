import { formatLocal, type EpochMs } from "../engine/calendar.ts";
import type { ResolvedPlan } from "../plan/types.ts";

export interface InitCheckOptions {
  /** The office records a campaign that has already ended (an archive): no refusal. */
  archive?: boolean;
  /** A campaign that starts more than this many days after `now` is warned about. @default 90 */
  aheadDays?: number;
}

export interface InitRefusal {
  code: "CAMPAIGN_ENDED";
  message: string;
}

export interface InitWarning {
  code: "STARTS_LATER";
  message: string;
}

const DAY_MS = 86_400_000;

/**
 * Whether a store should start running `plan` at `now` (the store's clock). A campaign that has already
 * ended would catch up its whole ladder at the first command and remind every unit of a finished job, so it
 * is refused unless the office says it is recording an archive; one that starts far ahead is only
 * warned about (nothing will happen for months, which a newcomer may not expect).
 */
export function checkInit(plan: ResolvedPlan, now: EpochMs, opts: InitCheckOptions = {}): { error?: InitRefusal; warnings: InitWarning[] } {
  const c = plan.campaign;
  if (now >= c.endAt && !opts.archive) {
    const example = `${c.start}T09:00`;
    return {
      error: {
        code: "CAMPAIGN_ENDED",
        message: `专项行动“${c.title}”已于 ${c.end} 结束（当前时钟 ${formatLocal(now, c.timezone, false)}），不能作为在办的专项行动建立：如要演练，请给每条命令加 --now 指定专项行动期间的时刻（例如 --now ${example}），或运行 duban demo；如要登记已结束的专项行动，请加 --archive`,
      },
      warnings: [],
    };
  }
  const aheadDays = opts.aheadDays ?? 90;
  const days = Math.floor((c.startAt - now) / DAY_MS);
  if (days > aheadDays)
    return {
      warnings: [
        {
          code: "STARTS_LATER",
          message: `注意：专项行动“${c.title}”于 ${c.start} 开始，距今 ${days} 天；在此之前不会有任何提醒。如要先演练，请用 --now 指定专项行动期间的时刻，或运行 duban demo`,
        },
      ],
    };
  return { warnings: [] };
}
