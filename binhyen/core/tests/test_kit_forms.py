"""The base form and the one way a service's errors reach a form (``binhyen.core.forms``)."""

from django import forms
from django.core.exceptions import ValidationError

from binhyen.core.forms import BootstrapForm, add_service_errors


class NameForm(BootstrapForm):
    name = forms.CharField(max_length=50)
    kind = forms.ChoiceField(choices=[("a", "A")], required=False)
    agree = forms.BooleanField(required=False)


class RenamingForm(NameForm):
    service_field_map = {"orgunit": "name"}


class PlainForm(forms.Form):
    name = forms.CharField()


def _valid(form_class, data=None):
    form = form_class(data or {"name": "Tổ 1"})
    assert form.is_valid(), form.errors
    return form


def test_widgets_get_bootstrap_classes():
    # Given a base form
    form = NameForm()
    # Then each widget carries the class of its kind
    assert "form-control" in form.fields["name"].widget.attrs["class"]
    assert "form-select" in form.fields["kind"].widget.attrs["class"]
    assert "form-check-input" in form.fields["agree"].widget.attrs["class"]


def test_text_is_normalised_to_nfc():
    # Given a name typed with a combining accent (NFD)
    form = NameForm({"name": "Tổ"})
    # When the form is cleaned
    assert form.is_valid()
    # Then the cleaned value is the composed form
    assert form.cleaned_data["name"] == "Tổ"


def test_a_field_error_goes_on_the_field_and_marks_it_invalid():
    # Given a valid form and a service error naming one of its fields
    form = _valid(NameForm)
    # When the error is added
    add_service_errors(form, ValidationError({"name": "Tên đã có."}))
    # Then it is on that field, which is marked invalid for assistive technology
    assert form.errors == {"name": ["Tên đã có."]}
    attrs = form.fields["name"].widget.attrs
    assert "is-invalid" in attrs["class"]
    assert attrs["aria-invalid"] == "true"


def test_an_unknown_field_and_all_go_on_the_non_field_errors():
    # Given a service error naming a field the form lacks, and a form-wide one
    form = _valid(NameForm)
    exc = ValidationError({"budget": "Sai ngân sách.", "__all__": "Trùng lặp."})
    # When it is added
    add_service_errors(form, exc)
    # Then nothing is lost: both are non-field errors
    assert sorted(form.non_field_errors()) == ["Sai ngân sách.", "Trùng lặp."]


def test_an_error_without_a_field_goes_on_the_form():
    # Given a plain message and a list of messages
    form = _valid(NameForm)
    # When they are added
    add_service_errors(form, ValidationError("Đơn vị đã giải thể."))
    add_service_errors(form, ValidationError(["Một.", "Hai."]))
    # Then all of them are non-field errors
    assert form.non_field_errors() == ["Đơn vị đã giải thể.", "Một.", "Hai."]


def test_the_form_renames_the_services_field_names():
    # Given a form saying the service's "orgunit" is its "name"
    form = _valid(RenamingForm)
    # When the service complains about "orgunit"
    add_service_errors(form, ValidationError({"orgunit": "Đơn vị đã đóng."}))
    # Then the message is on "name"
    assert form.errors == {"name": ["Đơn vị đã đóng."]}


def test_codes_and_params_are_kept():
    # Given an error with a code and parameters
    form = _valid(NameForm)
    exc = ValidationError(
        {"name": ValidationError("Mã %(code)s đã có.", code="taken", params={"code": "X1"})}
    )
    # When it is added
    add_service_errors(form, exc)
    # Then the message is rendered and the code can be asked for
    assert form.errors["name"] == ["Mã X1 đã có."]
    assert form.has_error("name", code="taken")


def test_a_plain_django_form_works_too():
    # Given a form that is not a BootstrapForm
    form = _valid(PlainForm)
    # When a service error is added
    add_service_errors(form, ValidationError({"name": "Sai.", "other": "Khác."}))
    # Then it lands like on any other form
    assert form.errors == {"name": ["Sai."], "__all__": ["Khác."]}
