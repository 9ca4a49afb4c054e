from django import forms


class RoleForm(forms.Form):
    """A change of role: which role, and to whom (a member taking an open role sends themselves). Parses
    only; ``roles.role_set`` decides."""

    role = forms.SlugField(max_length=32)
    to = forms.IntegerField(min_value=1)
