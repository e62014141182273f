"""The words commands accept, each list once, for the library and the CLI alike.

Kept free of imports so that building the command line (and --help) stays fast.
"""

OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "jsonl")  # text (io.write)
LISTING_FORMATS = OUTPUT_FORMATS + ("xlsx",)  # a listing's -f: xlsx is a workbook (sheets.write) written to --output
INPUT_FORMATS = ("csv", "tsv", "json", "jsonl")
EXPORT_FORMATS = ("csv", "json", "jsonl", "xlsx")
EXPORT_TABLES = ("orders", "callbacks", "complaints", "chases")

# A customer's recurring callback (not tied to an order) says why it is due.
RECURRING_REASONS = ("contract", "project", "dormant")
CALLBACK_REASONS = ("first", "retry", "promised", "second", "verified", "spot_check") + RECURRING_REASONS
# `due`'s columns (claim prints them too, with the claim's end)
DUE_COLUMNS = ["order_no", "customer", "phone", "service_type", "region", "provider", "engineer",
               "completed_at", "due_at", "deadline", "attempts", "last_outcome", "reason", "overdue", "claimed_by"]

COMPLAINT_AGAINST = ("engineer", "provider", "agent", "product", "sales")
SEVERITIES = ("general", "special")
APOLOGY_OUTCOMES = ("accepted", "not_accepted", "refused", "hung_up", "no_answer")

DATE_ORDERS = ("dmy", "mdy")  # how to read 03/04/2026 when a file is told

# Inbound calls (来电登记, contacts.py): what a caller wants, as the desk classifies it.
CONTACT_KIND_ALIASES = {
    "consultation": ["咨询", "技术咨询", "question"],
    "service": ["服务", "报修", "服务请求"],
    "complaint": ["投诉"],
    "chase": ["催单", "催修", "用户催单"],
}
CONTACT_KINDS = tuple(CONTACT_KIND_ALIASES)
CONTACT_COLUMNS = ["id", "received_at", "phone", "order_no", "kind", "text", "answered", "reply_due", "replied_at",
                   "overdue"]
# An owed reply is listed by `due` under a key C-<id> with this reason.
REPLY_REASON = "reply"
CALLBACK_REASONS = CALLBACK_REASONS + (REPLY_REASON,)
# Why `chase` lists an order, strongest first: one reason a row.
CHASE_REASONS = ("late", "customer", "no_feedback", "leftover", "end_of_day")
# `promises`: every promise the desk made and has not kept yet.
PROMISE_KINDS = ("reply", "callback", "complaint")
PROMISE_COLUMNS = ["kind", "key", "order_no", "customer", "phone", "made_at", "due_by", "overdue", "what"]

PERIODS = ("day", "week", "month")
GROUPS = ("region", "provider", "engineer", "service_type", "agent", "product", "category")
FORM_NAMES = ("daily", "weekly", "monthly")  # the head office's forms (forms.py)
# the detail forms head office reviews (reviews.py)
REVIEW_NAMES = ("not-genuine", "dissatisfied", "bad-contact", "provider-monthly", "complaints-monthly")
REPORT_NAMES = FORM_NAMES + ("providers", "faults") + REVIEW_NAMES
# The daily report's second table, the day's calls by agent (report --name daily, and its form)
AGENT_COLUMNS = ["calls_made", "calls_reached", "satisfied_rate", "recurring_calls_made", "recurring_calls_reached",
                 "complaints"]


# -- input: header and value aliases (canonical name -> the other spellings) ----------

ORDER_COLUMNS = {
    "order_no": ["工单号", "单号", "服务单号", "order", "order_id", "work_order", "order_number"],
    "service_type": ["服务类型", "类型", "type", "工单类型", "服务项目"],
    "customer": ["客户", "客户姓名", "用户", "用户姓名", "customer_name", "客户名称"],
    "phone": ["电话", "联系电话", "手机", "手机号", "mobile", "客户电话", "phone_number"],
    "address": ["地址", "客户地址"],
    "zone": ["区域类型", "城乡", "zone_type"],
    "region": ["区域", "大区", "片区", "办事处", "所属区域"],
    "provider": ["服务商", "网点", "服务网点", "代理商", "dealer", "服务站"],
    "engineer": ["工程师", "服务工程师", "维修员", "技术员", "维修工程师", "维修人员"],
    "product": ["机型", "产品", "型号", "model"],
    # 品类 (seed 002's forms): the product line an order's machine belongs to (空调, 挖掘机)
    "category": ["品类", "产品类别", "产品大类", "产品品类", "产品线", "product_category"],
    "serial_no": ["出厂编号", "序列号", "机号", "serial"],
    "reported_at": ["报修时间", "报单时间", "受理时间", "报修日期"],
    "dispatched_at": ["派工时间", "派单时间"],
    # seed 003: the provider contacts the customer within 30 minutes of dispatch...
    "contacted_at": ["联系用户时间", "首次联系时间", "联系客户时间", "用户联系时间", "contact_time"],
    # ...and reports the repair's status (回馈) within 3 hours: its first report is feedback_at.
    "feedback_at": ["反馈时间", "首次反馈时间", "回馈时间", "状态回馈时间", "维修状态回馈时间", "status_at"],
    "appointment_at": ["预约时间"],
    "arrived_at": ["到达时间"],
    "completed_at": ["完工时间", "完成时间", "完工日期"],
    "machine_hours": ["工作小时", "小时数", "工时", "hours", "工作时长"],
    "parts_replaced": ["更换配件", "配件"],
    "fee": ["费用", "收费", "收费金额", "实收金额", "结算金额"],
    "location": ["服务地点", "施工地点"],
    "warranty": ["保内", "是否保内"],
    "vip": ["客户等级"],
    "status": ["状态", "工单状态"],
}

# `record --from` columns: a desk's call log, often kept with Chinese headers.
CALL_COLUMNS = {
    "order_no": ORDER_COLUMNS["order_no"],
    "called_at": ["回访时间", "通话时间", "call_time"],
    "outcome": ["结果", "回访结果", "通话结果", "result"],
    "satisfaction": ["满意度", "满意程度"],
    "skill": ["技术水平", "技术"],
    "attitude": ["服务态度", "态度"],
    "timeliness": ["及时性", "时效"],
    "parts": ["配件供应"],
    "overall": ["总体评价", "总体", "整体"],
    "hours": ["工作小时", "小时数", "工时", "machine_hours"],
    "location": ["服务地点", "施工地点", "地点"],
    "parts_replaced": ["更换配件"],
    "fee": ["费用", "收费", "收费金额"],
    "genuine": ["是否属实", "属实"],
    "note": ["备注", "说明"],
    "agent": ["回访人", "回访员", "坐席", "客服"],
    "callback_at": ["约定回访时间", "预约回访时间", "再次回访时间"],
    "no_rating": ["未评价原因", "不评价原因"],
    "respondent": ["受访人", "受访人类型", "受访对象"],
    "arrived": ["到达时间", "工程师到达时间", "到场时间"],
    "finished": ["服务完成时间", "工程师完成时间"],  # not 完成时间: call logs name the call's end so
    "recording": ["录音", "录音编号", "录音文件"],
    "suggestion": ["建议", "用户建议", "服务需求", "用户需求"],
}

# Who answered a callback (受访人, seed 000): only someone on site or who knows the service counts.
RESPONDENT_ALIASES = {
    "on_site": ["在现场", "现场", "本人在现场", "on site"],
    "aware": ["知晓服务过程", "知晓", "了解服务过程", "knows"],
    "other": ["其他", "其他人", "不知情"],
}
RESPONDENTS = tuple(RESPONDENT_ALIASES)

# `customer import` columns: who is called on a schedule (contract class A/B, projects).
CUSTOMER_COLUMNS = {
    "customer_id": ["客户编号", "客户代码", "客户号", "客户id", "customer_code", "customer_no"],
    "phone": ORDER_COLUMNS["phone"],
    "customer": ORDER_COLUMNS["customer"],
    "class": ["客户等级", "合同等级", "合同类别", "等级", "contract_class", "level"],
    "contract_from": ["合同开始", "合同开始日期", "合同起始", "合同起始日期", "签约日期", "contract_start"],
    "contract_until": ["合同到期", "合同到期日", "合同截止", "合同截止日期", "合同有效期至", "contract_end"],
    "project": ["工程项目", "项目客户", "是否工程项目", "project_customer"],
}
# A contract class as a file or an agent writes it; CLASS_NONE takes one away.
CLASS_ALIASES = {
    "A": ["A类", "A级", "A类客户", "甲", "甲类"],
    "B": ["B类", "B级", "B类客户", "乙", "乙类"],
}
CLASS_NONE = ("none", "no", "无", "否", "普通", "普通客户", "-")
CUSTOMER_LIST_COLUMNS = ["key", "customer", "phone", "class", "contract_from", "contract_until", "project", "last_order_no",
                         "last_completed_at", "next_key", "next_reason", "next_due_at", "next_deadline"]

TIME_COLUMNS = ("reported_at", "dispatched_at", "contacted_at", "feedback_at", "appointment_at", "arrived_at",
                "completed_at")

SERVICE_TYPE_ALIASES = {
    "install": ["安装", "installation"],
    "delivery": ["交机", "handover"],
    "inspection": ["接收检查", "receiving_inspection"],
    "maintenance": ["保养"],
    "repair": ["维修"],
    "warranty_repair": ["保内维修", "质保期内修理"],
    "paid_repair": ["保外维修", "质保期外修理", "有偿维修", "有偿服务"],
    "parts": ["零件购买", "配件购买", "parts_purchase"],
    "consultation": ["技术咨询", "咨询"],
    "sales": ["销售"],
}

ZONE_ALIASES = {
    "urban": ["市区", "城区", "市内", "city"],
    "suburban": ["郊区", "近郊", "suburb"],
    "other": ["其他", "其它", "农村", "乡镇", "偏远", "rural"],
}

STATUS_ALIASES = {
    "open": ["未完工", "处理中", "进行中", "待处理", "已派工", "open"],
    "completed": ["已完工", "完工", "已完成", "完成", "done", "closed"],
    "cancelled": ["已取消", "取消", "作废", "canceled"],
}

OUTCOME_ALIASES = {
    "reached": ["已接通", "接通", "已回访", "成功"],
    "no_answer": ["未接通", "无人接听", "未接"],
    "busy": ["占线", "忙线"],
    "hung_up": ["挂断", "挂机"],
    "refused": ["拒访", "拒绝回访", "拒绝"],
    "wrong_number": ["空号", "错号", "号码错误"],
    "wrong_person": ["非本人"],
}

YES_WORDS = {"yes", "y", "true", "t", "1", "是", "有", "保内", "vip", "属实"}
NO_WORDS = {"no", "n", "false", "f", "0", "否", "无", "保外", "普通", "一般", "普通客户", "normal", "regular", "不属实"}

OUTCOMES = tuple(OUTCOME_ALIASES)
# One key per outcome: work's keys, and what `record -o` takes typed by hand.
OUTCOME_KEYS = {"r": "reached", "n": "no_answer", "b": "busy", "h": "hung_up", "x": "refused",
                "w": "wrong_number", "p": "wrong_person"}
SERVICE_TYPES = tuple(SERVICE_TYPE_ALIASES)
# The repairs among them: the forms' 送修量 counts these by reported_at
REPAIR_TYPES = ("repair", "warranty_repair", "paid_repair")
ZONES = tuple(ZONE_ALIASES)

# The satisfaction scale: phrases (and digits) a customer or a call log uses, per score.
SATISFACTION_LEVELS = {
    5: ["5", "非常满意", "非常好", "特别好", "很满意", "很好", "比其他厂家好", "服务比其他厂家好", "质量比其他厂家好",
        "服务质量比其他厂家好", "very satisfied", "very_satisfied", "excellent"],
    4: ["4", "满意", "比较满意", "挺好", "还不错", "satisfied", "good"],
    3: ["3", "一般", "基本满意", "还行", "还可以", "neutral", "ok", "fair"],
    2: ["2", "不满意", "dissatisfied", "poor"],
    1: ["1", "非常不满意", "很差", "very dissatisfied", "very_dissatisfied", "bad"],
}

# Seed 000's sentences for 5 that name someone: 建议对王工进行嘉奖, 建议对××予以表扬.
SATISFACTION_SENTENCES = {5: r"^建议对.+(进行嘉奖|予以嘉奖|予以表扬|进行表扬)$"}

# Columns kept with the order that callbackctl reads without a field of their
# own: the fault a dealer wrote down, for `report --name faults`.
FAULT_HEADERS = ("fault", "故障", "故障描述", "故障现象", "fault_description")
