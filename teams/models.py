from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from milestones.history import HistorySourceModel

# Who changed a person, a team, a squad or a membership, when and from where (web, admin,
# command), as for milestones. A password or a sign-in time is no one's business.
USER_HISTORY_EXCLUDED = ["password", "last_login"]
# That a password was set is: the change reason of the record of a save that set one.
PASSWORD_CHANGED = "password changed"

# A Slack member ID: U (or W, on Enterprise Grid) and 8 to 11 uppercase letters or digits.
SLACK_MEMBER_ID = RegexValidator(
    r"\A[UW][A-Z0-9]{8,11}\Z",
    "A Slack member ID is U or W followed by 8 to 11 capital letters or digits, "
    "like U0123ABCDE: in Slack, open your profile, ⋮, Copy member ID.",
    code="slack_member_id",
)


class User(AbstractUser):
    """A person in the engineering organisation.

    `is_leadership` marks the VP and directors (SPEC section 1): they see and edit everything.
    E-mail addresses are not unique: real rosters reuse one for two people (see the sample
    roster), so sign-in is by username.
    """

    display_name = models.CharField(max_length=150, blank=True)
    is_leadership = models.BooleanField(
        "leadership",
        default=False,
        help_text="VP of Engineering or a director: may edit any milestone, set quarter goals "
        "and run the sheet sync.",
    )
    nudges_opt_out = models.BooleanField(
        "no reminder e-mails",
        default=False,
        help_text="Milepost sends this person no nudges and no weekly digest.",
    )
    slack_member_id = models.CharField(
        "Slack member ID",
        max_length=20,
        blank=True,
        validators=[SLACK_MEMBER_ID],
        help_text="Their Slack profile → ⋮ → Copy member ID. Empty: nudges name them.",
    )
    slack_mention = models.BooleanField(
        "mention in the team's Slack nudges",
        default=True,
        help_text="With a member ID, the team's Slack nudge @-mentions them (not just names).",
    )
    history = HistoricalRecords(bases=[HistorySourceModel], excluded_fields=USER_HISTORY_EXCLUDED)

    def save(self, *args, **kwargs):
        # The history keeps no password, so without this a save that set a new one (Django's
        # password change and reset forms, the admin's, `changepassword`: `set_password` since
        # the last save) left a record the People page listed as "saved unchanged". It is a
        # change of the person, by whoever made it: its record says so (`PASSWORD_CHANGED`).
        # A save of only what the history does not keep that sets no password (Django noting a
        # sign-in's time, or re-hashing the same password at sign-in, which clears
        # `_password` before it saves) is no change of the person: no record at all.
        update_fields = kwargs.get("update_fields")
        if self._password is not None and (update_fields is None or "password" in update_fields):
            switch, value = "_change_reason", PASSWORD_CHANGED  # simple-history reads it
        elif update_fields is not None and set(update_fields) <= set(USER_HISTORY_EXCLUDED):
            switch, value = "skip_history_when_saving", True  # simple-history's own switch
        else:
            return super().save(*args, **kwargs)
        setattr(self, switch, value)
        try:
            return super().save(*args, **kwargs)
        finally:
            delattr(self, switch)

    class Meta:
        ordering = ["display_name", "username"]

    def __str__(self) -> str:
        return self.name

    # The columns `name` reads: what a query needs of a person it only names.
    NAME_COLUMNS = ("display_name", "first_name", "last_name", "username")

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def slack_mention_id(self) -> str:
        """The member ID to @-mention on Slack, or "" to only name them."""
        return self.slack_member_id if self.slack_member_id and self.slack_mention else ""

    @property
    def first_name_or_name(self) -> str:
        return self.name.split()[0] if self.name else self.username


class Squad(models.Model):
    """A group of teams around a use case, carrying the roles that span teams."""

    name = models.CharField(max_length=100, unique=True)
    product_manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    designer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_advocate = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(bases=[HistorySourceModel])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    squad = models.ForeignKey(Squad, on_delete=models.PROTECT, related_name="teams")
    sheet_tab_title = models.CharField(
        max_length=100,
        blank=True,
        help_text="Title of this team's tab in the leadership sheet. Empty means the team's name.",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords(bases=[HistorySourceModel])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("milestones:team", args=[self.slug])

    @property
    def tab_title(self) -> str:
        return self.sheet_tab_title or self.name

    @cached_property
    def active_memberships(self) -> list["Membership"]:
        """Active memberships, lead first. Prefetch `memberships` to avoid a query per team."""
        members = [m for m in self.memberships.all() if m.active]
        return sorted(members, key=lambda m: (m.role != Membership.Role.TECH_LEAD, m.user.name))

    @property
    def tech_lead(self) -> "User | None":
        for membership in self.active_memberships:
            if membership.role == Membership.Role.TECH_LEAD:
                return membership.user
        return None

    @property
    def engineers(self) -> list[User]:
        return [m.user for m in self.active_memberships if m.role == Membership.Role.ENGINEER]

    @property
    def members(self) -> list[User]:
        return [m.user for m in self.active_memberships]

    @property
    def is_trio(self) -> bool:
        return self.trio_shape(self.tech_lead is not None, len(self.engineers))

    @staticmethod
    def trio_shape(has_tech_lead: bool, engineers: int) -> bool:
        """One tech lead plus two engineers: the shape the organisation aims for (not a rule)."""
        return has_tech_lead and engineers == 2


class Membership(models.Model):
    class Role(models.TextChoices):
        TECH_LEAD = "tech_lead", "Tech lead"
        ENGINEER = "engineer", "Engineer"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ENGINEER)
    active = models.BooleanField(
        default=True, help_text="Past memberships stay for history; a person has one active team."
    )
    joined = models.DateField(auto_now_add=True)
    history = HistoricalRecords(bases=[HistorySourceModel])

    class Meta:
        ordering = ["team", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="tech_lead", active=True),
                name="one_tech_lead_per_team",
                violation_error_message="This team already has a tech lead.",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(active=True),
                name="one_active_team_per_person",
                violation_error_message="This person is already an active member of a team.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.team}"


class SignInFailure(models.Model):
    """A wrong password, or an unknown username, at sign-in: what `teams.throttle` counts.

    Only failures are kept, and only for a day (`manage.py prune_sign_in_failures`); the
    throttle's states are computed from them, so they expire by themselves.
    """

    username = models.CharField(max_length=150, help_text="As typed, lower-cased.")
    address = models.CharField(max_length=45, help_text="The client's IP address.")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["username", "at"], name="signin_failure_username_at"),
            models.Index(fields=["address", "at"], name="signin_failure_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"


class DeviceSignInFailure(models.Model):
    """A wrong password from a browser carrying a valid device cookie for the account.

    Such a browser is judged by its own failures only (`teams.throttle`), so these are kept
    apart from `SignInFailure`, which slows the account for every other client. Kept a day.
    """

    device = models.CharField(max_length=32, help_text="The nonce of the browser's cookie.")
    username = models.CharField(max_length=150, help_text="The cookie's account, lower-cased.")
    address = models.CharField(max_length=45, help_text="The client's IP address.")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["device", "at"], name="device_failure_device_at"),
            models.Index(fields=["username"], name="device_failure_username"),
        ]

    def __str__(self) -> str:
        return f"{self.username} on device {self.device} at {self.at:%Y-%m-%d %H:%M:%S}"


class PasswordResetRequest(models.Model):
    """A request for a password-reset link: what `teams.resets` counts.

    Every request the form accepts is kept, whether or not the address is anyone's, so the
    limits behave alike for both and say nothing about who exists. Kept a day.
    """

    email = models.CharField(max_length=254, help_text="As typed, case-folded.")
    address = models.CharField(max_length=45, help_text="The client's IP address.")
    at = models.DateTimeField(db_index=True)
    allowed = models.BooleanField(
        help_text="False: held back by the limits on links to one e-mail address."
    )

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["email", "at"], name="reset_request_email_at"),
            models.Index(fields=["address", "at"], name="reset_request_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.email} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"
