"""The demo member account opens a real file of its own, linked through the service a
keeping org uses (event and audit entry), and sees nobody else's."""

from django.urls import reverse

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.models import AuditEntry
from jiceng.members.models import Member, MemberEvent


def test_demo_member_signs_in_to_their_own_file(street_demo, client):
    user = User.objects.get(username="demo_member")
    member = Member.objects.get(account=user)
    assert RoleAssignment.objects.filter(user=user, role="member", org=member.org).exists()
    assert MemberEvent.objects.filter(member=member, kind="account_opened").exists()
    assert AuditEntry.objects.filter(target_type="members.member", target_id=str(member.pk))
    client.force_login(user)
    page = client.get(reverse("members:me"))
    assert page.status_code == 200 and member.name in page.content.decode()
    other = Member.objects.filter(org=member.org).exclude(pk=member.pk).first()
    assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
