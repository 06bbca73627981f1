import { chongqingInlined, tempFile } from "../helpers.ts";

/**
 * Another campaign of the same office: the Chongqing plan under another campaign id and title (the same
 * 38 district bureaus, the same window), written to a temporary file.
 */
export function otherCampaignPlan(id = "cq-wage-arrears-2021", title = "重庆市根治欠薪专项行动", opts: { extraUnit?: string } = {}): string {
  // The directory written in: the copy lives in a temporary folder, where plans/org is not beside it.
  let text = chongqingInlined()
    .replace(/^ {2}id: cq-labour-intermediary-2021$/m, `  id: ${id}`)
    .replace(/^ {2}title: 重庆市劳务中介专项整治行动$/m, `  title: ${title}`);
  // A unit this campaign has and the Chongqing one has not (a department that owes it nothing).
  if (opts.extraUnit) text = text.replace(/^( {2}- \{ id: xinchan, .*)$/m, `$1\n  - { id: ${opts.extraUnit}, name: 市根治欠薪工作办公室, kind: department, parent: bureau, contacts: { email: [${opts.extraUnit}@example.gov.cn] } }`);
  if (!text.includes(`id: ${id}`)) throw new Error("the Chongqing plan's campaign block moved");
  return tempFile(`${id}.yaml`, text);
}
