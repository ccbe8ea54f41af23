"""Sign-in form."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp


class LoginForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Электронная почта"),
        validators=[
            DataRequired(lazy_gettext("Введите адрес электронной почты.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=lazy_gettext("Неверный адрес электронной почты.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        lazy_gettext("Пароль"),
        validators=[DataRequired(lazy_gettext("Введите пароль.")), Length(max=200)],
    )
