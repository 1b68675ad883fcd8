from django.shortcuts import render

from complaintdesk.merchants.models import Merchant


def home(request):
    return render(request, "web/home.html", {"shops": Merchant.objects.filter(is_active=True)})
