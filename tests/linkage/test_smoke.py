from jiceng.linkage import services
from jiceng.linkage.models import Report


def test_smoke(sent):
    t = sent.t
    r = sent.recipient(sent.task, "xh_c1")
    report = services.report_submit(
        actor=t.users["xh_c1_secretary"], recipient=r, answers=sent.answers(sent.task)
    )
    assert report.state == Report.State.SUBMITTED
    services.report_accept(actor=t.users["xh_s1_staff"], report=report)
    b = services.bulletin_publish(actor=t.users["xh_s1_staff"], dispatch=sent.task, summary="好")
    assert b.figures["accepted"] == 1
