"""The public register of cameras and sensors in public space: where they are, who runs them, why,
what they keep and for how long, with every change after publication kept as a version."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability, NavEntry
from ..core.comments import Commentable
from ..core.i18n import localize
from ..core.models import Role
from ..core.permissions import any_of, has_role
from ..core.resources import ResourceType
from . import seeds
from .models import Device
from .search import searchable
from .views import bp

manage = has_role(Role.STAFF, Role.ADMIN)

NOT_PUBLISHED = _l("Questions open once this device is published in the register.")


def _questions_closed(device: Device, _user) -> object:
    # Drafts are staff-only pages; the register has no retired state yet (an expired device stays
    # open on purpose: that is when residents most need to ask about it).
    return None if device.is_published else NOT_PUBLISHED


def _published(_user, device) -> bool:
    return device is not None and device.is_published


capability = Capability(
    name="sensors",
    blueprints=(bp,),
    searchable=searchable,
    permissions={
        "sensors.manage": manage,
        # Published devices are public; drafts are seen by the staff who prepare them.
        "sensors.view": any_of(_published, manage),
    },
    nav=(
        NavEntry(
            _l("Cameras and sensors"),
            "sensors.index",
            order=30,
            description=_l("Find out which cameras and sensors the city runs, where, and what they record."),
        ),
    ),
    admin_nav=(NavEntry(_l("Cameras and sensors"), "sensors.manage", "sensors.manage", order=50),),
    resources=(
        ResourceType(
            "sensor",
            Device,
            _l("Camera or sensor"),
            url=lambda device: url_for("sensors.show", device_id=device.id),
            title=lambda device: localize(device.name).text,
            is_public=lambda device: device.is_published,
            plural=_l("Cameras and sensors"),
            view_permission="sensors.view",
            comments=Commentable(
                closed_reason=_questions_closed,
                official_answers=True,
                heading=_l("Questions and concerns about this device"),
                intro=_l(
                    "Ask the city about this device or raise a concern. Questions are public; staff answer here, "
                    "and the city's official answers are marked as such."
                ),
            ),
        ),
    ),
    action_labels={
        "sensor.created": fixed(_l("Registered a camera or sensor as a draft")),
        "sensor.updated": fixed(_l("Edited the draft of a camera or sensor")),
        "sensor.published": fixed(_l("Published a camera or sensor in the register")),
        "sensor.revised": lambda entry: _l(
            "Published version %(number)s of a camera or sensor", number=entry.data["version"]
        ),
        "sensor.release_recorded": fixed(_l("Recorded a release of footage in the ledger")),
        "sensor.release_corrected": fixed(_l("Corrected an entry in the footage-release ledger")),
        "sensor.imported": lambda entry: _l("Imported %(num)s cameras or sensors from CSV", num=entry.data["count"]),
    },
    seed=seeds.seed,
)
