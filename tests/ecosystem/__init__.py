"""A team's app that uses the packages Django teams use beside counters: Django REST framework,
django-contrib-comments and django-taggit."""
