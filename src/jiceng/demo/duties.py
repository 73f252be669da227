"""The demo district's duty admission and the demo street's five powers, all through
`duties.services` by the demo accounts: three applications of the district's departments
(one admitted onto the streets' duty lists, one refused for want of funds, one waiting
for review), a consent request answered and one pending, a major-matter proposal to the
district, a task marked outside the list, and this year's assessments of the field-office
heads serving the demo street; then the departments' dispatches to the demo street
(demo.linkage.department_sends): a task citing the admitted duty, a notice the street
marks as outside its list, and a task citing the refused duty, refused at sending. A
handful of rows: nothing here slows the demo down."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from jiceng.core.models import Area
from jiceng.demo import linkage as demo_linkage
from jiceng.demo.cases import DEPARTMENTS
from jiceng.demo.names import person_name
from jiceng.duties import services

# (department, field office after the street's name): who serves the demo street there.
FIELD_OFFICES = (
    ("城市管理行政执法局", "城管执法中队", "good", "吹哨报到及时，占道经营整治效果明显"),
    ("房屋管理局", "房管办事处", "fairly_good", "加装电梯协调积极，维修资金审核偏慢"),
    ("建设和管理委员会", "市政养护所", "average", "道路破损修复时限偶有超期"),
    ("绿化和市容管理局", "绿化市容所", "good", "行道树修剪及时，居民满意"),
)


def fill(*, seed: int, anchors, users: dict) -> dict[str, int]:
    units = anchors.handling_units
    street = anchors.street
    if units is None or street is None or anchors.district is None:
        return {}
    rng = random.Random(f"jiceng-demo-duties:{seed}")
    district_admin, street_staff = users["demo_district"], users["demo_street"]
    department_staff = users["demo_department"]
    enforcement = units.department[DEPARTMENTS[0][0]]
    housing = units.department["房屋管理局"]
    streets = list(
        Area.objects.filter(level=Area.Level.STREET, path__startswith=anchors.district.path)
        .order_by("code")
        .exclude(pk=street.pk)[:2]
    )
    streets.insert(0, street)

    admitted = services.duty_apply(
        actor=department_staff,
        department=enforcement,
        title="沿街商户门责制度落实日常检查",
        description="对沿街商户门前责任区（市容、秩序、绿化）落实情况开展日常检查、记录和告知，"
        "发现违法行为移交执法中队处理。",
        legal_basis="《上海市市容环境卫生管理条例》第二十条；《上海市城市管理综合行政执法条例》",
        expected_volume="每街道每年约 1200 户次检查",
        target_level="street",
        staff_count=2,
        funds_yuan=Decimal("120000"),
        resources_note="检查记录和告知权随事下放街道；执法中队派驻 2 名协管员；经费列入区财政专项，"
        "按街道拨付。",
        streets=streets,
        submit=True,
    )
    services.duty_act(actor=district_admin, duty=admitted, action="admit")
    refused = services.duty_apply(
        actor=None,
        department=housing,
        title="群租房信息排摸与台账报送",
        description="由街道、居委会逐户排摸辖区群租房信息，每月报送区房管局。",
        legal_basis="《上海市住宅物业管理规定》",
        expected_volume="每街道每月约 300 户",
        target_level="community",
        staff_count=0,
        funds_yuan=Decimal("0"),
        streets=streets,
        submit=True,
    )
    services.duty_act(
        actor=district_admin,
        duty=refused,
        action="refuse",
        reason="未随事下沉人员和经费，不符合“人随事转、费随事转”要求；请补充后重新申请。",
    )
    services.duty_apply(
        actor=department_staff,
        department=enforcement,
        title="共享单车停放秩序巡查",
        description="街道网格巡查中发现共享单车乱停放的，通知运营企业限时清运并记录。",
        legal_basis="《上海市非机动车安全管理条例》",
        expected_volume="每街道每年约 600 次",
        target_level="street",
        staff_count=1,
        funds_yuan=Decimal("50000"),
        streets=streets[:1],
        submit=True,
    )

    today = timezone.localdate()
    answered = services.power_request_create(
        actor=department_staff,
        kind="consent",
        street=street,
        department=enforcement,
        subject=f"{street.name}城管执法中队中队长任命",
        body=f"拟任命{person_name(rng)}同志为{street.name}城管执法中队中队长，"
        "按规定征求街道党工委意见。",
        due_on=today + datetime.timedelta(days=7),
    )
    services.power_request_answer(
        actor=street_staff,
        request=answered,
        answer="agree",
        reason="该同志熟悉辖区情况，吹哨报到响应及时，同意任命。",
    )
    services.power_request_create(
        actor=department_staff,
        kind="consent",
        street=street,
        department=enforcement,
        subject="夜间施工噪声专项整治方案",
        body="拟于下月在辖区开展夜间施工噪声专项整治，方案附后，征求街道意见。",
        due_on=today + datetime.timedelta(days=5),
    )
    services.power_request_create(
        actor=street_staff,
        kind="major_matter",
        street=street,
        department=None,
        subject="辖区道路大修工程分段施工建议",
        body="建议道路大修分段施工、避开学校上下学时段，并提前两周向沿线居民公告。",
        due_on=today + datetime.timedelta(days=20),
    )
    services.outside_list_report(
        actor=street_staff,
        street=street,
        department=housing,
        description="区房管局通知要求街道代为收集辖区群租房台账，该事项未经准入，不在街道职责清单内。",
        task_reference="房管〔2026〕18号",
    )
    sent = demo_linkage.department_sends(
        anchors=anchors, users=users, admitted=admitted, refused=refused
    )
    for name, office, grade, comment in FIELD_OFFICES:
        services.assessment_record(
            actor=street_staff,
            street=street,
            department=units.department[name],
            office_name=f"{street.name}{office}",
            head_name=person_name(rng),
            year=today.year,
            grade=grade,
            comment=comment,
        )
    return {
        "duties": 3,
        "power_requests": 3,
        "assessments": len(FIELD_OFFICES),
        "department_dispatches": sent,
    }
