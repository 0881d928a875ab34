"""Deterministic generated Chinese OA helpdesk documents and queries for benchmarks."""

from __future__ import annotations

import random

MODULES = [
    "OA门户",
    "公文管理",
    "审批中心",
    "费用报销",
    "差旅申请",
    "请假管理",
    "考勤打卡",
    "采购申请",
    "合同管理",
    "会议室预订",
    "通讯录",
    "即时消息",
    "邮件系统",
    "移动端App",
    "知识库",
    "工单系统",
    "报表中心",
    "数据导出",
    "统一身份认证",
    "单点登录",
    "数字证书",
    "电子签章",
    "档案管理",
    "资产管理",
    "预算管理",
    "人事档案",
]
OBJECTS = [
    "密码",
    "验证码",
    "审批单",
    "报销单",
    "附件",
    "流程",
    "权限",
    "菜单",
    "报表",
    "数据",
    "账号",
    "证书",
    "模板",
    "签名",
    "印章",
    "待办",
    "消息提醒",
    "打印",
    "导出文件",
    "预算科目",
    "发票",
    "考勤记录",
]
PROBLEMS = [
    "无法提交",
    "提示系统繁忙",
    "显示乱码",
    "加载很慢",
    "找不到入口",
    "数据不一致",
    "提示没有权限",
    "一直转圈",
    "保存失败",
    "被退回",
    "无法下载",
    "重复提交",
    "状态不更新",
    "打不开",
    "提示已过期",
    "上传失败",
    "显示空白",
    "审批人错误",
    "金额不对",
    "无法登录",
]
ASKS = ["怎么办", "如何处理", "是什么原因", "怎么解决", "在哪里查看", "如何设置", "需要多久"]
STEPS = [
    "打开{m}，进入{o}页面",
    "点击右上角的设置按钮",
    "清理浏览器缓存后重新登录",
    "切换到极速模式",
    "联系本部门的业务主管确认权限",
    "检查{o}是否填写完整",
    "在个人中心核对手机号",
    "等待五分钟后刷新页面",
    "使用推荐的浏览器重新操作",
    "将截图和报错信息提交工单",
    "由管理员在后台重新同步{o}",
    "确认附件大小不超过五十兆",
    "检查网络是否连接到内网",
    "在移动端重新绑定设备",
]


def document(rng: random.Random, i: int) -> dict:
    m, o, p = rng.choice(MODULES), rng.choice(OBJECTS), rng.choice(PROBLEMS)
    title = f"{m}{o}{p}{rng.choice(ASKS)}"
    steps = [rng.choice(STEPS).format(m=m, o=o) for _ in range(rng.randint(4, 8))]
    body = (
        f"{m}中{o}{p}通常与权限、缓存或数据同步有关。"
        + "".join(f"{n}. {s}。" for n, s in enumerate(steps, start=1))
        + f"注意：如果{o}仍然{p}，请提交工单。"
    )
    return {
        "external_id": f"bench-{i:06d}",
        "title": title,
        "body": body,
        "category": rng.choice(["登录问题", "权限问题", "数据错误", "操作指南"]),
    }


def documents(n: int, seed: int = 7):
    rng = random.Random(seed)
    for i in range(n):
        yield document(rng, i)


def queries(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    shapes = [
        lambda: f"{rng.choice(OBJECTS)}{rng.choice(PROBLEMS)}",
        lambda: f"{rng.choice(MODULES)} {rng.choice(OBJECTS)}",
        lambda: f"{rng.choice(MODULES)}{rng.choice(OBJECTS)}{rng.choice(PROBLEMS)}{rng.choice(ASKS)}",
        lambda: rng.choice(
            [
                "忘记密码",
                "报销单无法提交",
                "审批进度在哪里看",
                "没有权限",
                "系统繁忙",
                "导出乱码",
                "证书过期",
                "考勤异常",
            ]
        ),
    ]
    return [rng.choice(shapes)() for _ in range(n)]
