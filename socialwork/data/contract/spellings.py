"""How clerks spell things: the names, headers and values a township office's register may use besides the
template's own, and the cells and rows the import reads past."""

from __future__ import annotations

# A register kept by a township office rarely uses the template's exact words. The import accepts
# these spellings too (compared after NFKC normalisation, without spaces), and nothing else.

# Sheet or CSV file names, besides the table's name and label.
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "townships": ("乡镇", "乡镇街道", "乡镇(街道)基本情况", "乡镇社工站", "社工站"),
    "communities": ("村社区", "村(社区)名单", "村居", "村(居)"),
    "people": ("社工人才", "社会工作者", "社会工作者花名册", "社工花名册", "人才花名册", "社会工作人才花名册"),
    "posts": ("岗位", "社工岗位", "岗位开发"),
    "organisations": ("机构", "社会工作服务机构", "社工服务机构"),
    "activities": ("活动", "督导培训", "培训督导活动", "督导与培训"),
    "purchases": ("政府购买服务", "购买服务", "购买服务项目"),
    "targets": ("目标", "年度目标值"),
    "milestones": ("实施步骤", "工作举措", "实施步骤和举措"),
}

# Column headers, besides the column's name and label: {table: {column: aliases}}.
HEADER_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "townships": {
        "township_code": ("乡镇代码", "区划代码", "统计用区划代码", "乡镇(街道)代码"),
        "township_name": ("乡镇", "乡镇(街道)", "乡镇(街道)名称", "名称"),
        "township_kind": ("乡镇类型", "类别"),
        "has_station": ("是否建站", "建有社工站", "有无社工站", "社工站"),
        "station_opened_date": ("启用日期", "社工站成立日期", "建站日期", "挂牌日期"),
        "station_stars": ("星级", "站点星级"),
        "station_resident_workers": ("驻站社工", "驻站人数", "驻站社工数"),
        "brand_project": ("亮点项目", "一站一亮点", "品牌项目"),
    },
    "communities": {
        "community_code": ("区划代码", "统计用区划代码", "村(社区)代码", "村社代码"),
        "township_code": ("乡镇代码", "所属乡镇", "乡镇", "乡镇(街道)", "所属乡镇(街道)"),
        "community_name": ("村社名称", "名称", "村(居)名称", "村(社区)"),
        "community_kind": ("村社类型", "社区类型"),
        "urban_rural_code": ("城乡代码", "城乡分类"),
    },
    "people": {
        "person_id": ("编号", "人员代码"),
        "township_code": ("乡镇代码", "所属乡镇", "乡镇", "服务乡镇", "乡镇(街道)", "所在乡镇"),
        "community_code": ("村(社区)代码", "服务村(社区)", "村(社区)", "服务社区", "所在村(社区)"),
        "employer_type": ("单位类型", "工作单位性质"),
        "role": ("岗位", "职务", "岗位名称"),
        "certificate_level": ("证书级别", "职业资格等级", "持证等级", "持证情况", "职业资格"),
        "certificate_date": ("取证日期", "证书日期", "发证日期"),
        "first_certified_date": ("首次持证日期", "初次取证日期"),
        "sw_education": ("社工学历", "社会工作专业学历", "专业学历"),
        "sector": ("领域", "服务领域类别"),
        "talent_card_date": ("英才卡日期", "人才卡发放日期"),
        "award_year": ("奖励年度", "获奖年份"),
        "joined_date": ("入库时间", "登记日期", "纳入日期"),
    },
    "posts": {
        "post_id": ("编号",),
        "sector": ("领域",),
        "unit_name": ("单位名称", "设岗单位名称"),
        "township_code": ("乡镇代码", "所在乡镇", "乡镇"),
        "funding": ("经费渠道", "资金来源"),
        "is_filled": ("是否在岗人员", "在岗", "是否有人在岗"),
        "created_date": ("设岗时间", "设立日期"),
        "is_main_professional": ("是否主体专业岗位", "主体专业技术岗位"),
    },
    "organisations": {
        "organisation_id": ("统一社会信用代码", "信用代码", "编号"),
        "organisation_name": ("名称", "机构全称"),
        "township_code": ("乡镇代码", "注册地乡镇", "所在乡镇", "乡镇"),
        "registered_date": ("成立日期", "登记时间", "注册日期"),
        "status": ("状态", "运营状态"),
        "staff": ("从业人员数", "工作人员", "员工人数"),
        "certified_staff": ("持证人数", "持证社工"),
        "sw_educated_staff": ("社工学历人员", "社工专业人员"),
        "professional_staff": ("专业人员", "持证或社工学历人数"),
        "evaluation_grade": ("等级评估", "社会组织评估等级"),
    },
    "activities": {
        "activity_id": ("编号",),
        "activity_date": ("日期", "举办日期", "时间"),
        "activity_kind": ("类型", "活动类别"),
        "mode": ("形式", "方式"),
        "township_code": ("乡镇代码", "举办乡镇", "乡镇"),
        "title": ("名称", "活动主题", "主题"),
        "attendees": ("参加人数", "人次", "参训人次", "参加人员"),
        "hours": ("时长", "小时", "学时"),
    },
    "purchases": {
        "purchase_id": ("编号",),
        "plan_year": ("年份", "预算年度"),
        "department": ("购买单位", "采购单位", "购买主体"),
        "project_name": ("名称", "服务项目"),
        "budget_wan": ("预算(万元)", "金额(万元)", "项目金额(万元)", "资金(万元)"),
        "township_code": ("乡镇代码", "服务乡镇", "乡镇"),
        "status": ("状态", "实施状态"),
    },
    "milestones": {"lead_department": ("牵头单位", "责任单位")},
}

# Spellings of enumeration values, besides their code and label: {enum: {spelling: code}}.
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "certificate_level": {
        "助理社工师": "assistant",
        "初级": "assistant",
        "初级社会工作师": "assistant",
        "助理社会工作者": "assistant",
        "社工师": "intermediate",
        "中级": "intermediate",
        "中级社会工作师": "intermediate",
        "高级社工师": "senior",
        "高级": "senior",
        "未持证": "none",
        "无证": "none",
    },
    "sw_education": {"大专": "vocational", "本科及以上": "bachelor", "研究生": "master", "硕士": "master"},
    "township_kind": {"乡镇": "town"},
    "community_kind": {"城镇社区": "urban_community", "行政村": "village"},
    "employer_type": {"社区": "community", "社会工作服务机构": "sw_org", "事业单位": "government"},
    "funding": {"购买服务": "purchase", "编制": "establishment"},
    "organisation_status": {"正常": "active", "运营": "active", "暂停": "suspended", "注销": "deregistered"},
    "activity_mode": {"网络": "online", "现场": "offline"},
    "purchase_status": {"实施": "ongoing", "完成": "completed", "招标中": "procuring"},
    "milestone_status": {"推进中": "in_progress", "完成": "done"},
}

# Metric labels earlier versions showed, accepted in 年度目标 with a note naming the label this store shows now: the
# demo county's card (XX英才卡) written into the label, and the label before the card had a local name. A store's own
# label (本年发放“云溪英才卡”, METRIC_LOCAL_LABELS with its talent_card) is accepted as it is.
OLD_METRIC_LABELS: dict[str, str] = {
    "本年发放“XX英才卡”": "talent_cards_this_year",
    "本年发放英才卡": "talent_cards_this_year",
}

# Cells that mean "nothing here" in a clerk's register: empty, never a value.
PLACEHOLDER_TEXTS: frozenset[str] = frozenset(
    {"无", "暂无", "空", "/", "\\", "-", "--", "—", "——", "#N/A", "N/A", "n/a", "NA", "不适用", "null", "NULL", "None"}
)

# Headers of columns a register may carry that the import reads past (reported in the preview).
IGNORED_HEADERS: frozenset[str] = frozenset({"序号", "No.", "NO.", "No", "#"})

# A row whose first filled cell is one of these is a total, not a record.
TOTAL_ROW_WORDS: frozenset[str] = frozenset({"合计", "总计", "小计", "合计:", "总计:", "共计"})

# A row starting with one of these, below the records, is the form's footer (who filled it in, notes).
FOOTER_PREFIXES: tuple[str, ...] = ("填表人", "制表人", "审核人", "填报人", "填报单位", "填报日期", "制表日期",
                                    "注:", "注：", "说明:", "说明：", "备注:", "备注：", "联系人")  # fmt: skip
