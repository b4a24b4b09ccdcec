"""The installable field app: its shell page, manifest, service worker and offline bundle.

- ``/field/`` the application shell (no personal data in it: everything the user enters or
  needs comes from the API and the device's IndexedDB), precached by the service worker;
- ``/field/manifest.webmanifest`` the web app manifest (install on a phone's home screen);
- ``/sw.js`` the service worker, served from the root so its scope covers the shell; it
  precaches the shell and its static files only, under the app's version, and never caches
  an API answer (so nothing from tips or cases is ever stored by it);
- ``/field/bootstrap.json`` the user's units, villages and catalogues (``selectors.bundle``)
  with a fresh CSRF token, stored by the app in IndexedDB for offline use.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from binhyen.core.web import current_user
from binhyen.field import selectors

# The static files the shell needs offline (the service worker precaches them).
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/dexie/dexie.min.js",
    "vendor/workbox/workbox-window.prod.umd.js",
    "css/app.css",
    "js/field/outbox.js",
    "js/field/app.js",
    "js/field/register.js",
    "img/field-icon-192.png",
    "img/field-icon-512.png",
)
SHELL_TEMPLATES = ("field/shell.html", "field/sw.js")


@lru_cache(maxsize=1)
def app_version() -> str:
    """A digest of the shell's files: a deploy that changes one makes a new version."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
    for name in SHELL_TEMPLATES:
        digest.update(get_template(name).template.source.encode())  # type: ignore[attr-defined]
    digest.update(settings.LANGUAGE_CODE.encode())
    return digest.hexdigest()[:16]


def _settings() -> dict[str, Any]:
    return {
        "version": app_version(),
        "idle_minutes": getattr(settings, "FIELD_IDLE_MINUTES", 60),
        "api": "/api/v1",
        "bootstrap": reverse("field:bootstrap"),
        "login": reverse("accounts:login"),
    }


def strings() -> dict[str, str]:
    """The words of the app's scripts, in the user's language."""
    return {
        "choose": _("— chọn —"),
        "kind_activity": _("Hoạt động"),
        "kind_pledge": _("Giao ước thi đua"),
        "kind_member": _("Thành viên Tổ bảo vệ ANTT"),
        "kind_training": _("Tập huấn của Tổ bảo vệ ANTT"),
        "kind_village": _("Số hộ, nhân khẩu của thôn"),
        "kind_report": _("Báo cáo định kỳ (bản nháp)"),
        "report_draft": _(
            "chỉ lưu bản nháp; gửi báo cáo lên cấp trên cần kết nối, trên trang báo cáo."
        ),
        "f_values": _("Giá trị báo cáo"),
        "f_unit": _("Nơi ghi"),
        "f_date": _("Ngày"),
        "f_title": _("Tiêu đề"),
        "f_description": _("Nội dung"),
        "f_participants": _("Số người tham gia"),
        "f_villages": _("Các thôn"),
        "f_topic": _("Chủ đề"),
        "f_place": _("Địa điểm"),
        "f_leaflets": _("Số tờ rơi"),
        "f_posters": _("Số áp phích"),
        "f_bulletin_boards": _("Số bảng tin"),
        "f_channel": _("Kênh"),
        "f_posts": _("Số tin, bài"),
        "f_cameras": _("Số camera"),
        "f_camera_ownership": _("Loại camera"),
        "f_latitude": _("Vĩ độ"),
        "f_longitude": _("Kinh độ"),
        "f_light_points": _("Số điểm chiếu sáng"),
        "f_lit_km": _("Số km được thắp sáng"),
        "f_cases_resolved": _("Số vụ hòa giải thành"),
        "f_item_kind": _("Loại vật phẩm giao nộp"),
        "f_quantity": _("Số lượng"),
        "f_items": _("Vật phẩm giao nộp"),
        "f_photo": _("Ảnh"),
        "f_image": _("Ảnh"),
        "f_signer_kind": _("Bên ký"),
        "f_year": _("Năm"),
        "f_signed_on": _("Ngày ký"),
        "f_signed_by": _("Người ký"),
        "f_household_count": _("Số hộ ký"),
        "f_note": _("Ghi chú"),
        "f_team": _("Tổ bảo vệ ANTT"),
        "f_full_name": _("Họ và tên"),
        "f_birth_date": _("Ngày sinh"),
        "f_role": _("Chức danh"),
        "f_origin": _("Nguồn"),
        "f_joined_on": _("Ngày vào tổ"),
        "f_held_on": _("Ngày tập huấn"),
        "f_organiser": _("Đơn vị tổ chức"),
        "f_hours": _("Số giờ"),
        "f_attendees": _("Số người dự"),
        "f_village": _("Thôn"),
        "f_households": _("Số hộ"),
        "f_population": _("Số nhân khẩu"),
        "status_waiting": _("Chờ gửi"),
        "status_error": _("Cần sửa"),
        "status_conflict": _("Xung đột"),
        "edit": _("Sửa"),
        "retry": _("Gửi lại"),
        "discard": _("Bỏ"),
        "choose_values": _("Chọn giá trị"),
        "confirm_discard": _("Bỏ bản ghi này? Nó sẽ không được gửi."),
        "saved": _("Đã lưu vào hộp chờ gửi; đang gửi."),
        "saved_offline": _("Đã lưu trên máy: sẽ gửi khi có mạng."),
        "synced": _(
            "Đã gửi %(done)s bản ghi; %(error)s cần sửa; %(conflict)s xung đột cần chọn giá trị."
        ),
        "signin": _("Cần đăng nhập lại để gửi; các bản ghi vẫn được giữ trên máy."),
        "later": _("Chưa gửi được hết: sẽ thử lại khi có mạng."),
        "resolved": _("Đã chọn giá trị; bản ghi được gửi lại."),
        "need_online_first": _("Hãy mở ứng dụng một lần khi có mạng để tải danh mục."),
        "no_units": _("Tài khoản này chưa được giao xã, phường nào để ghi."),
        "other_owner": _(
            "Máy này còn %(count)s bản ghi chưa gửi của một tài khoản khác: hãy để tài khoản đó "
            "đăng nhập để gửi, hoặc đăng xuất để xóa chúng."
        ),
    }


@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    """The application shell: the forms, the outbox and the conflict screen (all in JS).

    Public and the same for everyone (the service worker caches it): the user's data comes
    from the bundle and the device, and the script sends a signed-out user to the login.
    """
    context = {"field_settings": _settings(), "strings": strings(), "version": app_version()}
    return render(request, "field/shell.html", context)


@login_required
@require_GET
def bootstrap(request: HttpRequest) -> JsonResponse:
    """The user's offline bundle (units, villages, teams, catalogues) and a CSRF token."""
    user = current_user(request)
    data = selectors.bundle(user=user)
    data["csrf_token"] = get_token(request)
    data["version"] = app_version()
    # The app's idle lock lifts only for a sign-in made after it (milliseconds, as in JS).
    last_login = getattr(user, "last_login", None)
    data["user"] = user.pk
    data["signed_in_at"] = int(last_login.timestamp() * 1000) if last_login else 0
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (public: the browser fetches it without credentials)."""
    body = {
        "name": _("Bình Yên — thu thập tại cơ sở"),
        "short_name": "Bình Yên",
        "description": _("Ghi hoạt động, giao ước và số liệu thôn cả khi không có sóng."),
        "lang": "vi",
        "start_url": reverse("field:shell"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static("img/field-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/field-icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/field-icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker (Workbox), at the root so its scope covers the whole site."""
    version = app_version()
    precache = [{"url": reverse("field:shell"), "revision": version}]
    precache += [{"url": static(name), "revision": version} for name in SHELL_STATIC]
    precache.append({"url": reverse("field:manifest"), "revision": version})
    response = render(
        request,
        "field/sw.js",
        {
            "workbox_sw": static("vendor/workbox/workbox-sw.js"),
            "workbox_prefix": static("vendor/workbox/workbox-sw.js").rsplit("/", 1)[0],
            "precache": json.dumps(precache),
            "shell_url": json.dumps(reverse("field:shell")),
            "version": json.dumps(version),
        },
        content_type="text/javascript",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
