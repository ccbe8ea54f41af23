"""Forms of the password screens: ask for a link, set a new password."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

MIN_PASSWORD = 10


class ForgotForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Электронная почта"),
        validators=[
            DataRequired(lazy_gettext("Введите адрес электронной почты.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=lazy_gettext("Неверный адрес электронной почты.")),
            Length(max=254, message=lazy_gettext("Адрес не длиннее 254 символов.")),
        ],
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        lazy_gettext("Новый пароль"),
        validators=[
            DataRequired(lazy_gettext("Введите пароль.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=lazy_gettext("Пароль: от 10 до 200 символов."),
            ),
        ],
    )
    confirm = PasswordField(
        lazy_gettext("Пароль ещё раз"),
        validators=[EqualTo("password", message=lazy_gettext("Пароли не совпадают."))],
    )
