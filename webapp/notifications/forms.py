"""The notification settings form: a delivery per kind and the zone times are shown in.

Labels are Russian and translated in the template (webapp/templates/_python_strings.html)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from webapp.notifications.preferences import CHOICES, DELIVERY_LABELS, KIND_LABELS, Delivery, Kind
from webapp.orgs.zones import ZONE_PLACES

DELIVERY_CHOICES = [SelectChoice(d.value, label) for d, label in DELIVERY_LABELS.items()]
ORGANISATION_ZONE = ""


def _delivery(kind: Kind) -> RadioField:
    return RadioField(
        KIND_LABELS[kind],
        choices=DELIVERY_CHOICES,
        validators=[InputRequired(message="Выберите способ доставки.")],
    )


class NotificationSettingsForm(FlaskForm):
    action = _delivery(Kind.ACTION)
    peer = _delivery(Kind.PEER)
    reminder = _delivery(Kind.REMINDER)
    changed = _delivery(Kind.CHANGED)
    time_zone = SelectField(
        "Часовой пояс, в котором показывать время",
        choices=[SelectChoice(ORGANISATION_ZONE, "Как у региона моей организации")]
        + [SelectChoice(name, place) for name, place in ZONE_PLACES.items()],
    )
    submit = SubmitField("Сохранить")

    def kind_fields(self):
        return [getattr(self, kind.value) for kind in CHOICES]

    def choices(self) -> dict[Kind, Delivery]:
        return {kind: Delivery(getattr(self, kind.value).data) for kind in CHOICES}
