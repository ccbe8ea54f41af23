"""Forms of the expert's screens: the points grid (one field per task) and the invitation."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, NumberRange, Optional

from webapp.crosscheck.experts import MIN_PASSWORD


class PointsForm(FlaskForm):
    """Fields ``task_<n>`` are added per task; ``action`` is save or submit."""

    action = StringField(
        validators=[AnyOf(["save", "submit"], message="Неизвестное действие.")], default="save"
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
            f"Задание {n} (0–{m})",
            validators=[
                Optional(),
                NumberRange(0, m, message=f"Задание {n}: целое число от 0 до {m}."),
            ],
            default=points[n - 1] if points and n - 1 < len(points) else None,
        )
        setattr(Form, f"task_{n}", field)
    return Form(**kwargs)


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "Новый пароль",
        validators=[
            DataRequired("Введите пароль."),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=f"Пароль: от {MIN_PASSWORD} до 200 символов.",
            ),
        ],
    )
    confirm = PasswordField(
        "Повторите пароль",
        validators=[EqualTo("password", message="Пароли не совпадают.")],
    )
