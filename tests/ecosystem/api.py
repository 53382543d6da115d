"""A DRF API as a team writes it: ``ModelSerializer(fields="__all__")`` over models with counters."""

from rest_framework import routers, serializers, viewsets

from tests.testapp.models import Place


class PlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = "__all__"


class PlaceViewSet(viewsets.ModelViewSet):
    queryset = Place.objects.all()
    serializer_class = PlaceSerializer
    authentication_classes: list = []
    permission_classes: list = []


router = routers.DefaultRouter()
router.register("places", PlaceViewSet)
