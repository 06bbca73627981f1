import type { ProgressState } from "../model/states.ts";

/** How each progress state reads (zh-CN). */
export const STATE_ZH: Record<ProgressState, string> = {
  waiting: "未开始",
  open: "办理中",
  submitted: "已报送待审核",
  returned: "已退回待重报",
  accepted: "已通过",
  waived: "已免报",
  withdrawn: "已撤销",
};

/** The verbs of the actions a unit takes (zh-CN). */
export const ACTION_ZH = { open: "交办", submit: "报送", accept: "通过", return: "退回", extend: "延期", waive: "免报", withdraw: "撤销", acknowledge: "签收" } as const;

/** Why a reminder went out when it is not about the deadline (ReminderReason). */
export const REMINDER_REASON_ZH = { unacknowledged: "超时未签收" } as const;
