"""Sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp


class LoginForm(FlaskForm):
    email = EmailField(
        "Электронная почта",
        validators=[
            DataRequired("Введите адрес электронной почты."),
            Regexp(r"^[^@\s]+@[^@\s]+$", message="Неверный адрес электронной почты."),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Пароль", validators=[DataRequired("Введите пароль."), Length(max=200)]
    )
