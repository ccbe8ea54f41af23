"""Forms of the expert's screens: the points grid (one field per task) and the invitation."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, NumberRange, Optional

from webapp.crosscheck.experts import MIN_PASSWORD


class PointsForm(FlaskForm):
    """Fields ``task_<n>`` are added per task; ``action`` is save or submit."""

    action = StringField(
        validators=[AnyOf(["save", "submit"], message=lazy_gettext("Неизвестное действие."))],
        default="save",
    )
    lock_version = IntegerField(validators=[Optional()])

    def points(self, count: int) -> list[int | None]:
        return [self[f"task_{n}"].data for n in range(1, count + 1)]


def points_form(maxima: Sequence[int], points: Sequence[int | None] | None = None, **kwargs):
    """A PointsForm class with one whole-number field per task, bounded by its maximum."""

    class Form(PointsForm):
        pass

    for n, m in enumerate(maxima, start=1):
        field = IntegerField(
            gettext("Задание %(n)s (0–%(m)s)", n=n, m=m),
            validators=[
                Optional(),
                NumberRange(
                    0, m, message=gettext("Задание %(n)s: целое число от 0 до %(m)s.", n=n, m=m)
                ),
            ],
            default=points[n - 1] if points and n - 1 < len(points) else None,
        )
        setattr(Form, f"task_{n}", field)
    return Form(**kwargs)


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        lazy_gettext("Новый пароль"),
        validators=[
            DataRequired(lazy_gettext("Введите пароль.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=lazy_gettext("Пароль: от %(least)s до 200 символов.", least=MIN_PASSWORD),
            ),
        ],
    )
    confirm = PasswordField(
        lazy_gettext("Повторите пароль"),
        validators=[EqualTo("password", message=lazy_gettext("Пароли не совпадают."))],
    )
