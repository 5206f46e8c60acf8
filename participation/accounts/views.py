from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from ..core.htmx import render
from ..core.i18n import LOCALE_NAMES, current_locale, localize
from ..core.models import AGE_GROUPS, District
from ..core.urls import safe_next
from ..extensions import db, limiter
from . import services
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    normalise_email,
)

bp = Blueprint("accounts", __name__)


def _limit(setting: str):
    return lambda: current_app.config[setting]


def _submitted_email() -> str:
    return normalise_email(request.form.get("email") or "") or request.remote_addr or ""


def _account_key() -> str:
    return f"user:{current_user.get_id().partition(':')[0]}" if current_user.is_authenticated else ""


def _failed(response) -> bool:
    """Only failed attempts count against an account, so an attacker cannot lock its owner out."""
    return response.status_code >= 400


# Checks of the current password on the account pages are limited like logins.
_password_checks = limiter.limit(
    _limit("RATELIMIT_LOGIN_PER_ACCOUNT"), key_func=_account_key, deduct_when=_failed, methods=["POST"]
)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(form.display_name.data, form.email.data, form.password.data, current_locale())
        except services.EmailTaken:
            form.email.errors.append(
                _(
                    "An account with this e-mail address already exists. Log in, or reset your password if you have forgotten it."
                )
            )
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
            return redirect(url_for("core.home"))
    return render("accounts/register.html", form=form, status=422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN"), methods=["POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN_PER_ACCOUNT"), methods=["POST"], key_func=_submitted_email, deduct_when=_failed)
def login():
    target = safe_next(request.args.get("next"), url_for("core.home"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(_("You are logged in."), "success")
            return redirect(target)
        # The same message whether the address is unknown or the password wrong.
        form.form_errors.append(_("The e-mail address or password is not correct."))
    return render("accounts/login.html", form=form, status=422 if form.errors or form.form_errors else 200)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
@limiter.limit(_limit("RATELIMIT_PASSWORD_RESET_PER_ADDRESS"), methods=["POST"], key_func=_submitted_email)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account uses this address, we have sent it a link to set a new password. Check your mail, including the spam folder."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render("accounts/forgot_password.html", form=form, status=422 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        logout_user()
        flash(_("Your password has been changed. Log in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    return render("accounts/reset_password.html", form=form, token=token, status=422 if form.errors else 200)


# --- own account ------------------------------------------------------------------------------


def _profile_form(formdata=None) -> ProfileForm:
    form = ProfileForm(formdata=formdata, obj=current_user)
    form.locale.choices = [
        SelectChoice(code, LOCALE_NAMES.get(code, code), render_kw={"lang": code})
        for code in current_app.config["LOCALES"]
    ]
    districts = db.session.scalars(db.select(District).order_by(District.position, District.id)).all()
    form.district_id.choices = [SelectChoice(0, _("Not given"))] + [
        SelectChoice(d.id, localize(d.name).text) for d in districts
    ]
    form.age_group.choices = [SelectChoice("", _("Not given"))] + [
        SelectChoice(key, label) for key, label in AGE_GROUPS.items()
    ]
    if formdata is None:
        form.district_id.data = current_user.district_id or 0
        form.age_group.data = current_user.age_group or ""
        form.locale.data = current_user.locale or current_locale()
    return form


def _account_page(status=200, **forms):
    forms.setdefault("profile_form", _profile_form())
    forms.setdefault("email_form", ChangeEmailForm(formdata=None, prefix="email"))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None, prefix="password"))
    return render("accounts/account.html", status=status, **forms)


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/profile")
@login_required
def update_profile():
    form = _profile_form(request.form)
    if not form.validate():
        return _account_page(422, profile_form=form)
    services.update_profile(
        current_user,
        display_name=form.display_name.data,
        locale=form.locale.data,
        district_id=form.district_id.data or None,
        age_group=form.age_group.data or None,
    )
    flash(_("Your profile has been saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/email")
@login_required
@_password_checks
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate():
        try:
            services.change_email(current_user, form.email.data, form.current_password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("The current password is not correct."))
        except services.EmailTaken:
            form.email.errors.append(_("Another account already uses this e-mail address."))
        else:
            flash(_("Your e-mail address has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(422, email_form=form)


@bp.post("/account/password")
@login_required
@_password_checks
def change_password():
    form = ChangePasswordForm(prefix="password")
    if form.validate():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("The current password is not correct."))
        else:
            login_user(current_user._get_current_object())  # keep this session; the new token ends the others
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(422, password_form=form)


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@_password_checks
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.current_password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("The current password is not correct."))
        except services.LastAdministrator:
            form.form_errors.append(
                _("You are the only administrator. Grant the administrator role to someone else first.")
            )
        else:
            logout_user()
            flash(_("Your account has been deleted. Thank you for taking part."), "success")
            return redirect(url_for("core.home"))
    return render("accounts/delete.html", form=form, status=422 if form.errors or form.form_errors else 200)
