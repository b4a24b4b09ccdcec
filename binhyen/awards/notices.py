"""What a tipster sees about their reward on the tip's tracking page (tips' extension point).

The citizen has proved the tip's code and secret before this runs; the notice shows the
proposal's progress, then the decided reward with its one-time collection code until it is
collected. Nothing here learns or stores who the citizen is.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from binhyen.awards import codes, selectors
from binhyen.core import formats as vn
from binhyen.tips.notices import TrackingNotice, tracking_notices


class RewardNotices:
    key = "awards"

    def notices(self, tip: Any) -> list[TrackingNotice]:
        found: list[TrackingNotice] = []
        for proposal in selectors.tip_proposals(tip_id=tip.pk):
            found.append(
                TrackingNotice(
                    key="awards-proposed",
                    title=_("Tin của bạn được đề nghị khen thưởng"),
                    body=_("Hình thức: %(form)s. Đề nghị đang được xem xét; kết quả sẽ hiện ở đây.")
                    % {"form": proposal.form.name},
                )
            )
        for reward in selectors.tip_rewards(tip_id=tip.pk):
            amount = (
                _("Tiền thưởng: %(amount)s đồng.") % {"amount": vn.format_number(reward.amount)}
                if reward.amount
                else ""
            )
            if reward.collected_at:
                found.append(
                    TrackingNotice(
                        key="awards-collected",
                        title=_("Bạn đã nhận khen thưởng"),
                        body=_("%(form)s, quyết định số %(number)s. Đã nhận ngày %(date)s.")
                        % {
                            "form": reward.form.name,
                            "number": reward.decision.number,
                            "date": vn.format_date(reward.collected_at.date()),
                        },
                        tone="secondary",
                    )
                )
                continue
            found.append(
                TrackingNotice(
                    key="awards-decided",
                    title=_("Bạn được khen thưởng"),
                    body=_(
                        "%(form)s, quyết định số %(number)s ngày %(date)s. %(amount)s\n"
                        "Mang mã nhận thưởng dưới đây đến trụ sở %(unit)s. Không cần xuất trình "
                        "giấy tờ tùy thân; mã chỉ dùng được một lần."
                    )
                    % {
                        "form": reward.form.name,
                        "number": reward.decision.number,
                        "date": vn.format_date(reward.decision.decided_on),
                        "amount": amount,
                        "unit": reward.proposer_unit.name,
                    },
                    code=codes.code_for(reward.code_nonce) if reward.code_nonce else "",
                    tone="success",
                )
            )
        return found


def register() -> None:
    tracking_notices.register(RewardNotices())
