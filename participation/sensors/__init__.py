"""The public register of cameras and sensors in public space: where they are, who runs them, why,
what they keep and for how long, with every change after publication kept as a version."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability, NavEntry
from ..core.i18n import localize
from ..core.models import Role
from ..core.permissions import any_of, has_role
from ..core.resources import ResourceType
from . import seeds
from .models import Device
from .search import searchable
from .views import bp

manage = has_role(Role.STAFF, Role.ADMIN)


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
    nav=(NavEntry(_l("Cameras and sensors"), "sensors.index", order=30),),
    admin_nav=(NavEntry(_l("Cameras and sensors"), "sensors.manage", "sensors.manage", order=50),),
    resources=(
        ResourceType(
            "sensor",
            Device,
            _l("Camera or sensor"),
            url=lambda device: url_for("sensors.show", device_id=device.id),
            title=lambda device: localize(device.name).text,
            is_public=lambda device: device.is_published,
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
