"""DTPR-style categories and values (Digital Trust for Places & Routines, device datachain): a
fixed vocabulary residents recognise from signs, each category with its own pictogram. The city
picks values per device; retention is derived from the retention fields, not chosen again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "accountable": _l("Accountable"),
    "purpose": _l("Purpose"),
    "tech": _l("Technology"),
    "data": _l("Data type"),
    "process": _l("Processing"),
    "storage": _l("Storage"),
    "access": _l("Access"),
    "retention": _l("Retention"),
}

VALUES = {
    "accountable": {
        "institution": _l("Public institution"),
        "organization": _l("Private organisation"),
    },
    "purpose": {
        "safety_security": _l("Safety & security"),
        "enforcement": _l("Enforcement"),
        "fire_emergency": _l("Fire & emergency"),
        "mobility": _l("Mobility"),
        "planning": _l("Planning & decision-making"),
        "research": _l("Research & development"),
        "commerce": _l("Commerce"),
        "accessibility": _l("Accessibility"),
        "ecology": _l("Ecology"),
        "health": _l("Health"),
        "inform": _l("Inform"),
        "wayfinding": _l("Wayfinding & services"),
        "social": _l("Social"),
        "waste": _l("Waste management"),
    },
    "tech": {
        "video_camera": _l("Video camera"),
        "video_infrared": _l("Video camera – infrared"),
        "identifiable_video": _l("Identifiable video"),
        "deidentified_video": _l("De-identified video"),
        "non_identifiable_video": _l("Non-identifiable video"),
        "person_detection": _l("Person detection"),
        "facial_characterization": _l("Facial characterisation"),
        "lidar": _l("LiDAR"),
        "microphone": _l("Microphone"),
        "sound_level": _l("Sound level meter"),
        "wifi_sensor": _l("Identifiable Wi-Fi sensor"),
        "location_beacon": _l("Location beacon (BLE)"),
        "infrared_counter": _l("Infrared counter"),
    },
    "data": {
        "personal": _l("Personal"),
        "pixel_image": _l("Pixel-based image"),
        "spatial": _l("Spatial"),
        "tabular": _l("Tabular"),
        "values_time": _l("Values over time"),
        "boolean": _l("Yes/no"),
    },
    "process": {
        "raw": _l("Raw data"),
        "aggregated": _l("Aggregated"),
        "deidentified": _l("De-identified"),
        "bitmap_manipulation": _l("Masking of image areas"),
        "encrypted_at_rest": _l("Encrypted at rest"),
        "computer_vision": _l("Computer vision"),
        "ai_system": _l("AI system"),
    },
    "storage": {
        "local": _l("Stored locally (in the device)"),
        "primarily_local": _l("Stored primarily locally"),
        "third_party_cloud": _l("Stored on a third-party cloud"),
    },
    "access": {
        "accountable_org": _l("Available to the accountable organisation"),
        "vendor": _l("Available to the vendor"),
        "third_parties": _l("Available to third parties on stated grounds"),
        "not_available_to_me": _l("Not available to me"),
        "download": _l("Available to download"),
    },
}
# Categories staff choose values for (retention comes from the retention fields).
CHOSEN = tuple(VALUES)


def clean(value) -> dict[str, list[str]]:
    """Known categories and values only, in the vocabulary's order; raises ValueError otherwise."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValueError("dtpr must be a mapping")
    cleaned = {}
    for category, keys in value.items():
        if category not in VALUES or not isinstance(keys, list | tuple):
            raise ValueError(category)
        unknown = set(keys) - set(VALUES[category])
        if unknown:
            raise ValueError(f"{category}:{sorted(unknown)[0]}")
        ordered = [key for key in VALUES[category] if key in keys]
        if ordered:
            cleaned[category] = ordered
    return cleaned


def parse(text: str) -> dict[str, list[str]]:
    """``purpose:safety_security mobility; tech:video_camera`` (the CSV form) to a mapping."""
    result: dict[str, list[str]] = {}
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        category, _sep, keys = part.partition(":")
        if not _sep:
            raise ValueError(part)
        result.setdefault(category.strip(), []).extend(k for k in keys.replace(",", " ").split() if k)
    return clean(result)


def format(value: dict | None) -> str:
    return "; ".join(f"{category}:{' '.join(keys)}" for category, keys in (value or {}).items())


def retention(device) -> tuple[str, object] | None:
    """The derived retention value of a device: (key, label)."""
    if device.deleted_at_once:
        return "none", _l("No data retained")
    if device.retention_days:
        return "retained", _l("Retained %(num)s days", num=device.retention_days)
    return None


def labelled(device) -> list[tuple[str, object, list]]:
    """(category, category label, [value labels]) for every category the device has values in."""
    rows = []
    values = device.dtpr or {}
    for category, label in CATEGORY_LABELS.items():
        if category == "retention":
            derived = retention(device)
            if derived:
                rows.append((category, label, [derived[1]]))
            continue
        keys = values.get(category) or []
        if keys:
            rows.append((category, label, [VALUES[category][key] for key in keys if key in VALUES[category]]))
    return rows
