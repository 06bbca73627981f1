import { PROGRESS_STATES } from "../model/states.ts";

/**
 * The API's OpenAPI 3.1 document, written by hand: the schemas follow BoardRow, UnitData, ItemData and
 * StoredEvent. Served at /api/openapi.json.
 */
const error = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string", description: "原因（中文）" } } } },
};
const refusals = (...codes: number[]) =>
  Object.fromEntries(codes.map((s) => [String(s), { description: DESC[s] ?? "拒绝", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]));
const DESC: Record<number, string> = {
  400: "请求有误",
  401: "未登录、令牌无效或登录已过期",
  403: "无权办理、审计账号只读，或 CSRF 校验失败（均记入日志）",
  404: "没有该事项或单位",
  409: "当前状态不允许该操作",
  413: "附件超过 10 MB",
  415: "附件类型不允许或内容与扩展名不符",
  422: "延期日期不合规则；交办的承办单位、截止时间、紧急程度或字段不合类型规定",
};
const state = { type: "string", enum: [...PROGRESS_STATES] };
const lateness = { type: "string", enum: ["onTrack", "dueSoon", "overdue", "escalated"] };
const grouping = { type: "string", enum: ["unit", "task", "phase", "deliverable"], default: "unit" };
const asOf = { name: "asOf", in: "query", required: false, description: "截至时刻（ISO 8601，如 2021-06-16T09:00+08:00）；省略为当前；早于存储的第一条记录时拒绝（400 BEFORE_LOG）", schema: { type: "string" } };
const download = (type: string, description: string) => ({ "200": { description, headers: { "Content-Disposition": { schema: { type: "string" } } }, content: { [type]: { schema: { type: "string", format: "binary" } } } } });
const itemId = { name: "id", in: "path", required: true, description: "事项编号，含斜杠，如 progress-report/yuzhong", schema: { type: "string" } };

export function openApiDocument(title: string): object {
  const actionBody = {
    required: false,
    content: {
      "application/json": { schema: { $ref: "#/components/schemas/ActionRequest" } },
      "multipart/form-data": {
        schema: {
          allOf: [{ $ref: "#/components/schemas/ActionRequest" }],
          properties: { files: { type: "array", items: { type: "string", format: "binary" }, description: "仅报送：pdf、doc、docx、xls、xlsx、jpg、png、zip，合计 ≤ 10 MB" }, _csrf: { type: "string" } },
        },
      },
    },
  };
  const action = (verb: string, summary: string) => ({
    post: {
      summary,
      operationId: verb,
      parameters: [itemId],
      requestBody: actionBody,
      responses: { "200": { description: "已办理", content: { "application/json": { schema: { type: "object", required: ["ok", "event"], properties: { ok: { const: true }, event: { $ref: "#/components/schemas/StoredEvent" } } } } } }, ...refusals(400, 401, 403, 404, 409, 413, 415, 422) },
    },
  });
  return {
    openapi: "3.1.0",
    info: { title: `督办 Duban API：${title}`, version: "1" },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "duban_session", description: "登录后的会话（公开地址为 https 时名为 __Host-duban_session，带 Secure）；POST 须带 X-CSRF-Token（见 /api/me），来自其他网站的 POST 一律拒绝" },
        bearer: { type: "http", scheme: "bearer", description: "duban users add 发放的访问令牌；无需 CSRF" },
      },
      schemas: {
        Error: error,
        Readiness: {
          type: "object",
          required: ["ready", "checks"],
          properties: {
            ready: { type: "boolean" },
            checks: {
              type: "object",
              properties: {
                store: { type: "object", properties: { ok: { type: "boolean" }, headSeq: { type: "integer" }, error: { type: "string", description: "错误代码（不含连接串）" } } },
                schema: { type: "object", properties: { ok: { type: "boolean" }, version: { type: "integer" }, expected: { type: "integer" } } },
                lease: { type: "object", properties: { ok: { type: "boolean" }, state: { enum: ["acquiring", "leader", "standby", "stopped", "none"] } } },
                outbox: { type: "object", properties: { ok: { type: "boolean" }, oldestUnsentAgeSeconds: { type: "number" }, maxAgeSeconds: { type: "number" } } },
              },
            },
          },
        },
        ActionRequest: {
          type: "object",
          properties: {
            note: { type: "string", maxLength: 2000, description: "说明；退回时必填" },
            until: { type: "string", description: "仅延期：新截止日期 YYYY-MM-DD 或 ISO 时间" },
            final: { type: "boolean", description: "仅一事一报事项的报送：true 为终报（报请销号），省略或 false 为续报；表单中为 report=final|interim" },
          },
        },
        FieldSpec: {
          type: "object",
          required: ["id", "title", "type", "required"],
          properties: { id: { type: "string" }, title: { type: "string", description: "字段名称（导入表格的列名）" }, type: { enum: ["text", "longText", "date", "number", "unit", "choice", "attachment"] }, required: { type: "boolean" }, choices: { type: "array", items: { type: "string" } }, maxLength: { type: "integer" } },
        },
        Kind: {
          type: "object",
          description: "计划 kinds: 中声明的可在运行中交办的事项类型",
          properties: {
            id: { type: "string" }, title: { type: "string" }, description: { type: "string" }, source: { type: "string" },
            mayOpen: { type: "boolean", description: "当前用户是否可以交办此类事项" },
            recipients: { type: "array", items: { type: "string" }, description: "当前用户可交办给的单位" },
            joint: { type: ["object", "null"], properties: { maxUnits: { type: "integer" }, submit: { enum: ["any", "lead"] } }, description: "可否由多个单位共同承办；submit：任一承办单位或仅牵头单位报送" },
            levels: { type: "array", items: { type: "string" }, description: "紧急程度，第一个为默认" },
            due: { type: "object", properties: { given: { type: "boolean", description: "是否由交办方给出截止日期" }, min: { type: "string", format: "date-time" }, max: { type: "string", format: "date-time" }, default: { type: "string", format: "date-time" } } },
            acknowledge: { type: "boolean", description: "是否须签收" }, followUp: { type: "boolean", description: "是否一事一报（续报直至终报）" },
            fields: { type: "array", items: { $ref: "#/components/schemas/FieldSpec" } }, maxAttachmentBytes: { type: "integer" },
          },
        },
        OpenRequest: {
          type: "object",
          required: ["to", "title"],
          properties: {
            to: { type: "array", items: { type: "string" }, description: "承办单位编号；共同承办时多个，牵头单位在前" },
            title: { type: "string", maxLength: 200 },
            due: { type: "string", description: "截止日期 YYYY-MM-DD（当天截止时间）或 ISO 时间；仅由交办方给出截止日期的类型" },
            level: { type: "string", description: "紧急程度，如 特急；省略为该类型的第一个" },
            note: { type: "string", maxLength: 2000 },
            fields: { type: "object", additionalProperties: true, description: "字段编号 → 值（文本、日期 YYYY-MM-DD、数字、单位编号或名称、选项）；附件字段须以 multipart/form-data 上传（字段名 f.<编号>）" },
          },
        },
        BoardRow: {
          type: "object",
          required: ["id", "unit", "title", "state", "lateness", "late", "level", "due", "daysLate", "returns", "extensions"],
          properties: {
            id: { type: "string" }, unit: { type: "string" }, title: { type: "string" }, deliverable: { type: "string" }, task: { type: "string" }, phase: { type: "string" },
            state, lateness, late: { type: "boolean" }, level: { type: "integer" }, due: { type: ["string", "null"], format: "date-time", description: "null：不设截止时间（不催报、不逾期）" },
            dueAssumed: { type: "string", description: "截止日期为假定时的说明" }, daysLate: { type: "integer" },
            submittedAt: { type: "string", format: "date-time" }, returns: { type: "integer" }, extensions: { type: "integer" },
            kind: { type: "string", description: "交办事项的类型编号；计划内事项无此项" }, members: { type: "array", items: { type: "string" }, description: "共同承办单位，牵头单位在前" },
            urgency: { type: "string" }, openedBy: { type: "string" }, openedAt: { type: "string", format: "date-time" },
            acknowledgedAt: { type: ["string", "null"], format: "date-time", description: "签收时间；null 为待签收；无此项为无需签收" }, reports: { type: "integer", description: "一事一报：已续报次数" },
            subPlans: { type: "array", items: { $ref: "#/components/schemas/SubPlanRollup" }, description: "同一存储中挂在本事项下的下级专项行动的进度" },
          },
        },
        SubPlanRollup: {
          type: "object",
          properties: {
            campaign: { type: "string", description: "下级专项行动编号；其看板为 /?campaign=<编号>" }, title: { type: "string" }, total: { type: "integer", description: "须报送的事项数（有截止时间、未撤销）" },
            done: { type: "integer", description: "已通过或免报" }, handedIn: { type: "integer", description: "已报送待审核" }, overdue: { type: "integer" }, lastActivity: { type: "string", format: "date-time", description: "最近一次有人办理的时间" },
            complete: { type: "boolean" }, item: { type: "string", description: "所服务的上级事项（parent.item）" }, unit: { type: "string", description: "所服务的上级单位（parent.unit）" },
            overdueItems: { type: "array", items: { type: "object" }, description: "逾期事项：id、title、unit、unitName、due、daysLate、level" },
          },
        },
        PhaseCount: { type: "object", properties: { phase: { type: "string" }, name: { type: "string" }, total: { type: "integer" }, accepted: { type: "integer" }, submitted: { type: "integer" }, owed: { type: "integer" }, overdue: { type: "integer" } } },
        StoredEvent: {
          type: "object",
          required: ["seq", "at", "actor", "type", "payload", "planHash", "prevHash", "hash"],
          properties: { seq: { type: "integer" }, at: { type: "string", format: "date-time" }, actor: { type: "object" }, type: { type: "string" }, payload: {}, planHash: { type: "string" }, assignment: { type: "string" }, prevHash: { type: "string" }, hash: { type: "string" } },
        },
        UnitItem: {
          type: "object",
          properties: {
            id: { type: "string" }, title: { type: "string" }, kind: { enum: ["deliverable", "task", "opened"] }, state, due: { type: ["string", "null"], format: "date-time" }, dueAssumed: { type: "string" }, workingDaysLeft: { type: ["integer", "null"] },
            late: { type: "boolean" }, daysLate: { type: "integer" }, canSubmit: { type: "boolean" }, canRecall: { type: "boolean", description: "报送待审核，且当前用户可以撤回（更正后重报）" }, canAcknowledge: { type: "boolean", description: "待本单位签收，且当前用户可以签收" },
            opened: { type: "object", description: "交办事项：kind、kindTitle、number、urgency、openedBy、members、acknowledgedAt（null 待签收）、followUp（一事一报）、reports" },
            returnedComment: { type: "object", description: "退回意见，仅在事项处于“已退回待重报”时给出", properties: { at: { type: "string" }, note: { type: "string" }, by: { type: "string" } } },
          },
        },
        Unit: { type: "object", properties: { unit: { type: "string" }, name: { type: "string" }, asOf: { type: "string" }, owed: { type: "array", items: { $ref: "#/components/schemas/UnitItem" } }, tasks: { type: "array", items: { $ref: "#/components/schemas/UnitItem" } }, inReview: { type: "array", items: { $ref: "#/components/schemas/UnitItem" } }, done: { type: "array", items: { $ref: "#/components/schemas/UnitItem" } } } },
        Item: {
          type: "object",
          properties: {
            assignment: { type: "object", description: "计划中的责任分解，另含 unitName、toName、leadName" },
            row: { $ref: "#/components/schemas/BoardRow" },
            history: { type: "array", items: { $ref: "#/components/schemas/StoredEvent" } },
            reminders: {
              type: "array",
              items: { type: "object", properties: { at: { type: "string" }, step: { type: "integer" }, level: { type: "integer" }, recipient: { type: "string" }, recipientName: { type: "string" }, status: { enum: ["sent", "failed", "retrying", "pending"] }, channels: { type: "array", items: { type: "string" } }, deliveredAt: { type: "string" }, reason: { enum: ["unacknowledged", "urged"], description: "unacknowledged 超时未签收的提醒；urged 办公室催办" } } },
            },
            allowed: { type: "array", items: { enum: ["acknowledge", "submit", "accept", "return", "extend", "waive", "withdraw", "recall"] }, description: "当前用户按计划规则可办理的操作" },
            opened: { type: "object", description: "交办事项：类型、编号、紧急程度、交办单位、承办单位、签收、一事一报" },
            fields: { type: "array", items: { type: "object", properties: { id: { type: "string" }, title: { type: "string" }, type: { type: "string" }, value: {} } }, description: "交办事项的字段及所填内容" },
          },
        },
        StatsLine: {
          type: "object",
          required: ["key", "name", "assigned", "onTime", "late", "lateDaysMean", "lateDaysMax", "overdue", "waived", "pending", "returned", "extended", "due", "onTimeRate", "overdueRate"],
          properties: {
            key: { type: "string" }, name: { type: "string" }, assigned: { type: "integer", description: "应办数" }, onTime: { type: "integer", description: "按时办结" }, late: { type: "integer", description: "逾期办结" },
            lateDaysMean: { type: ["number", "null"], description: "平均逾期工作日（逾期办结的事项）" }, lateDaysMax: { type: ["integer", "null"] }, overdue: { type: "integer", description: "当前逾期" },
            waived: { type: "integer" }, pending: { type: "integer", description: "未到期" }, returned: { type: "integer", description: "退回次数" }, extended: { type: "integer", description: "延期事项" },
            due: { type: "integer", description: "已到期 = 按时办结 + 逾期办结 + 当前逾期" }, onTimeRate: { type: ["number", "null"], description: "按时完成率；尚无到期事项时为 null" }, overdueRate: { type: ["number", "null"], description: "逾期率" },
            score: { type: "number", description: "考评得分：仅按单位统计且计划有 scoring 时" }, rank: { type: "integer", description: "考评排名：同上" },
          },
        },
        Stats: {
          type: "object",
          required: ["campaign", "title", "asOf", "by", "lines", "total"],
          properties: { campaign: { type: "string" }, title: { type: "string" }, asOf: { type: "string", format: "date-time" }, by: grouping, lines: { type: "array", items: { $ref: "#/components/schemas/StatsLine" } }, total: { $ref: "#/components/schemas/StatsLine" } },
        },
        Scores: {
          type: "object",
          required: ["campaign", "title", "asOf", "planVersion", "rules", "lines"],
          properties: {
            campaign: { type: "string" }, title: { type: "string" }, asOf: { type: "string", format: "date-time" }, planVersion: { type: "string", description: "所适用规则所在的计划版本（该时刻有效的版本）" },
            rules: { type: "object", description: "所适用的考评规则（null：不设上下限）" },
            lines: { type: "array", items: { allOf: [{ $ref: "#/components/schemas/StatsLine" }], properties: { rank: { type: "integer", description: "名次；同分同名次" }, itemPoints: { type: "number" }, score: { type: "number" }, bounded: { type: "boolean" } } } },
          },
        },
        Replay: { type: "object", properties: { asOf: { type: "string" }, campaign: { type: "string" }, assignments: { type: "array", items: { type: "object", properties: { id: { type: "string" }, unit: { type: "string" }, state, lateness, late: { type: "boolean" }, level: { type: "integer" } } } } } },
      },
    },
    security: [{ session: [] }, { bearer: [] }],
    paths: {
      "/healthz": { get: { summary: "存活检查：进程在应答（无需登录）", security: [], responses: { "200": { description: "进程在运行", content: { "application/json": { schema: { type: "object", properties: { status: { const: "ok" } } } } } } } } },
      "/readyz": {
        get: {
          summary: "就绪检查：存储可达、表结构为当前版本、守护进程租约状态已知、最早未发消息未超过阈值（无需登录；只含计数与状态）",
          security: [],
          responses: {
            "200": { description: "就绪", content: { "application/json": { schema: { $ref: "#/components/schemas/Readiness" } } } },
            "503": { description: "未就绪：checks 中 ok 为 false 的一项说明原因", content: { "application/json": { schema: { $ref: "#/components/schemas/Readiness" } } } },
          },
        },
      },
      "/metrics": { get: { summary: "Prometheus 指标（文本格式；无需登录，请在反向代理上只对内网开放）", security: [], responses: { "200": { description: "指标", content: { "text/plain": { schema: { type: "string" } } } } } } },
      "/api/me": { get: { summary: "当前用户与 CSRF 校验码", responses: { "200": { description: "当前用户" }, ...refusals(401) } } },
      "/api/board": {
        get: {
          summary: "看板：当前用户可见的全部事项（计划内事项与交办事项；kind=plan 只看计划内，kind=类型编号 只看该类交办事项）",
          parameters: ["phase", "task", "unit", "kind"].map((n) => ({ name: n, in: "query", schema: { type: "string" } })).concat([
            { name: "overdue", in: "query", schema: { type: "string", enum: ["1", "true"] } } as never,
            { name: "light", in: "query", schema: { type: "string", enum: ["red", "yellow", "green", "none"] } } as never,
            { name: "level", in: "query", description: "只看仍逾期且督办级别不低于此级的事项（1 一级督办 … 3 三级督办）", schema: { type: "integer", minimum: 1, maximum: 9 } } as never,
            { name: "q", in: "query", description: "单位搜索：单位 id、全称或简称包含此文字", schema: { type: "string", maxLength: 50 } } as never,
            { name: "limit", in: "query", description: "每页条数，默认并最多 1000", schema: { type: "integer", minimum: 1, maximum: 1000 } } as never,
            { name: "cursor", in: "query", description: "上一页返回的 nextCursor；超过末尾时返回空页", schema: { type: "string" } } as never,
            { name: "sort", in: "query", description: "页面排序（level 督办级别、overdue 逾期数、rate 按时办结率）；不影响 JSON 顺序", schema: { type: "string", enum: ["plan", "level", "overdue", "rate"] } } as never,
          ]),
          responses: { "200": { description: "看板", content: { "application/json": { schema: { type: "object", properties: { asOf: { type: "string" }, campaign: { type: "string" }, phases: { type: "array", items: { $ref: "#/components/schemas/PhaseCount" } }, total: { type: "integer", description: "符合筛选条件的事项总数（各页合计）" }, assignments: { type: "array", items: { $ref: "#/components/schemas/BoardRow" } }, nextCursor: { type: ["string", "null"], description: "下一页的 cursor；null 表示已是最后一页" }, subPlans: { type: "array", items: { $ref: "#/components/schemas/SubPlanRollup" }, description: "本专项行动的下级专项行动（单位账号只见本单位的）；没有时无此项" } } } } } }, ...refusals(401) },
        },
      },
      "/api/units/{unit}/urge": {
        post: {
          summary: "催办：立即向该单位发送一次提醒，列出其全部未完成且有截止时间的事项（仅办公室；每个单位每天至多一次，再次催办返回 409 ALREADY_URGED）",
          operationId: "urge",
          parameters: [{ name: "unit", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { note: { type: "string", maxLength: 500 }, _csrf: { type: "string" } } } } } },
          responses: { "200": { description: "已催办：每个事项一条 reminded 事件（reason=urged）", content: { "application/json": { schema: { type: "object", properties: { ok: { type: "boolean" }, events: { type: "array", items: { type: "object" } } } } } } }, ...refusals(401, 403, 404, 409) },
        },
      },
      "/api/units/{unit}": { get: { summary: "单位事项：待报送、待审核、已完成", parameters: [{ name: "unit", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "单位", content: { "application/json": { schema: { $ref: "#/components/schemas/Unit" } } } }, ...refusals(401, 403, 404) } } },
      "/api/items/{id}": { get: { summary: "事项：办理经过、提醒记录、可办理的操作", parameters: [itemId], responses: { "200": { description: "事项", content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } } }, ...refusals(401, 403, 404) } } },
      "/api/items/{id}/attachments/{sha256}": { get: { summary: "下载附件", parameters: [itemId, { name: "sha256", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{64}$" } }], responses: { "200": { description: "文件" }, ...refusals(401, 403, 404) } } },
      "/api/items/{id}/acknowledge": action("acknowledge", "签收（交办事项的承办单位；仅须签收的类型）"),
      "/api/items/{id}/submit": action("submit", "报送或办结报告（责任单位；共同承办时按类型规定由任一成员或牵头单位）；一事一报事项带 final 区分续报、终报"),
      "/api/items/{id}/accept": action("accept", "审核通过（接收单位、牵头单位或办公室）"),
      "/api/items/{id}/return": action("return", "退回（接收单位、牵头单位或办公室；须填意见）"),
      "/api/items/{id}/extend": action("extend", "延期（办公室或牵头单位；须填 until）"),
      "/api/items/{id}/waive": action("waive", "免报（仅办公室）"),
      "/api/items/{id}/withdraw": action("withdraw", "撤销交办事项（办公室，或类型允许的交办单位）"),
      "/api/items/{id}/recall": action("recall", "撤回尚待审核的报送，以便更正后重新报送（报送单位）"),
      "/api/kinds": {
        get: { summary: "可交办的事项类型，及当前用户可否交办、可交办给谁、字段", responses: { "200": { description: "类型", content: { "application/json": { schema: { type: "object", properties: { kinds: { type: "array", items: { $ref: "#/components/schemas/Kind" } } } } } } }, ...refusals(401) } },
      },
      "/api/kinds/{kind}/items": {
        post: {
          summary: "交办（立项）：按类型新开一个事项；拒绝时不写入任何事项",
          operationId: "open",
          parameters: [{ name: "kind", in: "path", required: true, description: "类型编号，如 dubandan", schema: { type: "string" } }],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/OpenRequest" } },
              "multipart/form-data": { schema: { type: "object", properties: { to: { type: "array", items: { type: "string" } }, title: { type: "string" }, due: { type: "string" }, level: { type: "string" }, note: { type: "string" }, _csrf: { type: "string" } }, additionalProperties: { description: "f.<字段编号>：字段值或附件文件" } } },
            },
          },
          responses: {
            "201": { description: "已交办", content: { "application/json": { schema: { type: "object", required: ["ok", "id", "row", "events"], properties: { ok: { const: true }, id: { type: "string" }, row: { $ref: "#/components/schemas/BoardRow" }, events: { type: "array", items: { $ref: "#/components/schemas/StoredEvent" } } } } } } },
            ...refusals(400, 401, 403, 404, 409, 413, 415, 422),
          },
        },
      },
      "/api/items/{id}/light": {
        post: {
          summary: "标记三色灯（仅办公室；须填理由）：red、yellow，或 clear 恢复按状态计算的灯色",
          operationId: "markLight",
          parameters: [itemId],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["light"], properties: { light: { enum: ["red", "yellow", "clear"] }, reason: { type: "string" } } } } } },
          responses: { "200": { description: "已标记", content: { "application/json": { schema: { type: "object", required: ["ok", "event"], properties: { ok: { const: true }, event: { $ref: "#/components/schemas/StoredEvent" } } } } } }, ...refusals(400, 401, 403, 404, 409) },
        },
      },
      "/api/stats": {
        get: { summary: "统计（办公室、审计）：按单位、任务、阶段或报送事项", parameters: [asOf, { name: "by", in: "query", schema: grouping }], responses: { "200": { description: "统计", content: { "application/json": { schema: { $ref: "#/components/schemas/Stats" } } } }, ...refusals(400, 401, 403) } },
      },
      "/api/score": {
        get: { summary: "考评得分与排名（办公室、审计；计划须有 scoring）", parameters: [asOf], responses: { "200": { description: "考评", content: { "application/json": { schema: { $ref: "#/components/schemas/Scores" } } } }, ...refusals(400, 401, 403) } },
      },
      "/api/ledger.xlsx": {
        get: { summary: "台账 Excel 工作簿（办公室、审计），边写边传", parameters: [asOf], responses: { ...download("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "台账"), ...refusals(400, 401, 403) } },
      },
      "/api/bulletin.docx": {
        get: {
          summary: "通报或向上级的报告 Word 文档（办公室、审计）",
          parameters: [
            asOf,
            { name: "from", in: "query", description: "通报所述期间的起点", schema: { type: "string" } },
            { name: "kind", in: "query", schema: { type: "string", enum: ["bulletin", "report"], default: "bulletin" } },
          ],
          responses: { ...download("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "通报"), ...refusals(400, 401, 403) },
        },
      },
      "/units/{unit}/calendar.ics": {
        get: {
          summary: "单位的日历订阅（iCalendar），供 Outlook、Apple 日历、企业微信、钉钉订阅",
          security: [],
          parameters: [{ name: "unit", in: "path", required: true, schema: { type: "string" } }, { name: "token", in: "query", required: true, description: "该单位的只读订阅令牌（duban ics --issue-token）", schema: { type: "string" } }],
          responses: { "200": { description: "日历", content: { "text/calendar": { schema: { type: "string" } } } }, "404": { description: "单位不存在、令牌错误或已停用（不区分；记入日志）", content: { "text/plain": { schema: { type: "string" } } } } },
        },
      },
      "/api/audit/refusals": {
        get: {
          summary: "拒绝记录（办公室、审计）：越权访问、被拒绝的操作和无效令牌，按时间倒序；每页查看 5000 条事件",
          parameters: [{ name: "before", in: "query", required: false, description: "只看此序号之前的事件（翻页：上一页的 older）", schema: { type: "integer" } }],
          responses: {
            "200": {
              description: "拒绝记录",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      refusals: { type: "array", items: { type: "object", properties: { seq: { type: "integer" }, at: { type: "string" }, type: { type: "string", enum: ["requestRefused", "signInRefused"] }, user: { type: "string" }, address: { type: "string" }, method: { type: "string" }, path: { type: "string" }, target: { type: "string" }, code: { type: "string" }, reason: { type: "string" }, notLoggedBefore: { type: "integer" } } } },
                      fromSeq: { type: "integer" },
                      toSeq: { type: "integer" },
                      older: { type: "integer" },
                    },
                  },
                },
              },
            },
            ...refusals(400, 401, 403),
          },
        },
      },
      "/api/replay": { get: { summary: "历史回放（办公室、审计）；asOf 晚于专项行动结束（或当前，取较晚者）时按该时刻回放", parameters: [{ name: "asOf", in: "query", required: true, schema: { type: "string" } }], responses: { "200": { description: "回放", content: { "application/json": { schema: { $ref: "#/components/schemas/Replay" } } } }, ...refusals(400, 401, 403) } } },
      "/api/verify": {
        get: {
          summary: "核验哈希链与发送队列（办公室、审计）；逐批输出进度，最后一行为结果",
          parameters: [{ name: "head", in: "query", required: false, schema: { type: "string", pattern: "^[0-9a-f]{64}$" }, description: "日报中记录的日志头：核实其前的记录未被删除或改写" }],
          responses: { "200": { description: "NDJSON：{progress:{stage,checked,total}} 若干行，然后 {result:{ok,count,head|seq,problem}}", content: { "application/x-ndjson": { schema: { type: "string" } } } }, ...refusals(400, 401, 403, 409) },
        },
      },
      "/api/export": {
        get: {
          summary: "导出事件日志（含哈希），流式下载（办公室、审计）",
          parameters: [
            { name: "format", in: "query", required: false, schema: { enum: ["jsonl", "csv"], default: "jsonl" } },
            { name: "from", in: "query", required: false, schema: { type: "string" }, description: "起始时刻（含）" },
            { name: "to", in: "query", required: false, schema: { type: "string" }, description: "截止时刻（含）" },
          ],
          responses: { "200": { description: "每行一条事件：seq, at, actor, type, assignment, payload, planHash, prevHash, hash", content: { "application/x-ndjson": { schema: { type: "string" } }, "text/csv": { schema: { type: "string" } } } }, ...refusals(400, 401, 403) },
        },
      },
    },
  };
}
