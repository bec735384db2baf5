from django import forms

from zhuanban.org.models import OrgUnit


class OfficeProfileForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["duties", "phone"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 6})}
