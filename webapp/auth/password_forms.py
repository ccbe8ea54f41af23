"""Forms of the password screens: ask for a link, set a new password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

MIN_PASSWORD = 10


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("Электронная почта"),
        validators=[
            DataRequired(_l("Введите адрес электронной почты.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Неверный адрес электронной почты.")),
            Length(max=254, message=_l("Адрес не длиннее 254 символов.")),
        ],
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Новый пароль"),
        validators=[
            DataRequired(_l("Введите пароль.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("Пароль: от 10 до 200 символов."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Пароль ещё раз"),
        validators=[EqualTo("password", message=_l("Пароли не совпадают."))],
    )
