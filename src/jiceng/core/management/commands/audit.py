"""`jiceng audit verify|checkpoint|archive|grants|keygen`: the audit chain's upkeep."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiceng.core import audit_evidence as evidence


class Command(BaseCommand):
    help = (
        "审计日志：verify 校验，checkpoint 签名检查点，archive 归档，"
        "grants 检查数据库权限，keygen 生成签名密钥"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="按签名检查点和归档段校验整条哈希链，指出第一条异常")
        sub.add_parser("checkpoint", help="为当前链头写一个签名检查点（数据库之外）")
        archive = sub.add_parser("archive", help="把某日之前的记录移入签名归档段文件")
        archive.add_argument("--before", required=True, help="日期 YYYY-MM-DD（北京时间零点）")
        sub.add_parser("grants", help="报告审计表的数据库权限与触发器是否到位")
        sub.add_parser("keygen", help="生成检查点签名密钥（已存在则拒绝）")

    def handle(self, *args, **options):
        getattr(self, "_" + options["action"])(options)

    def _verify(self, options) -> None:
        result = evidence.audit_verify()
        for warning in result.warnings:
            self.stderr.write(f"注意：{warning}")
        latest = result.latest_checkpoint
        anchor = f"，最近检查点 {latest.at}（{latest.count} 条）" if latest else "，尚无签名检查点"
        if result.ok:
            self.stdout.write(
                f"审计链完整：已校验 {result.checked} 条（归档段 {result.segments} 个{anchor}）"
            )
            return
        where = f"第一条异常记录 ID {result.first_bad_id}" if result.first_bad_id else "链尾"
        if result.reason in ("checkpoint_signature", "segment", "segment_missing", "head_missing"):
            where = {
                "checkpoint_signature": "检查点",
                "segment": "归档段",
                "segment_missing": "链首",
                "head_missing": "链头",
            }[result.reason]
            if result.first_bad_id:
                where += f"（记录 ID {result.first_bad_id}）"
        detail = f"［{result.detail}］" if result.detail else ""
        raise CommandError(
            f"审计链被破坏：{where}，{evidence.REASONS.get(result.reason, result.reason)}"
            f"{detail}（此前 {result.checked} 条完整）"
        )

    def _checkpoint(self, options) -> None:
        try:
            checkpoint = evidence.checkpoint_write(actor=None)
        except evidence.EvidenceError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            f"检查点已写入 {evidence.checkpoint_path()}：{checkpoint.count} 条，"
            f"链头 {checkpoint.head[:16]}…"
        )

    def _archive(self, options) -> None:
        try:
            day = datetime.date.fromisoformat(options["before"])
        except ValueError:
            raise CommandError("--before 应为 YYYY-MM-DD") from None
        before = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        try:
            archived = evidence.audit_archive(actor=None, before=before)
        except evidence.EvidenceError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            f"已归档 {archived.count} 条（第 {archived.first} 条起）到 {archived.path}"
        )

    def _grants(self, options) -> None:
        failed = False
        for check in evidence.grants_report():
            mark = {True: "OK  ", False: "FAIL", None: "N/A "}[check.ok]
            detail = f" — {check.detail}" if check.detail else ""
            self.stdout.write(f"{mark} {check.name}{detail}")
            failed = failed or check.ok is False
        if failed:
            raise CommandError("审计表的权限未按运维指南收紧（见 docs/operator-guide.md）")

    def _keygen(self, options) -> None:
        path = evidence.signing_key_path()
        try:
            evidence.signing_key_create(path)
        except FileExistsError:
            raise CommandError(f"签名密钥已存在：{path}（不会覆盖）") from None
        self.stdout.write(f"签名密钥：{path}；公钥（交审计方保管）：{evidence.verify_key_path()}")
