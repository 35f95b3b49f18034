"""
The seeds' own stack for tests/bench/run.sh: the resume service of seed 001 as its
document sets it up (Django 3.2, DRF, simplejwt, MySQL), on zhimai's database and
with zhimai's signing key, so the token zhimai's login issues authenticates here too.

run.sh passes the database and the key in the environment (ZM_DJANGO_*).
"""
import os
from datetime import timedelta

SECRET_KEY = os.environ["ZM_DJANGO_JWT_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# what `django-admin startproject` writes, plus DRF and the resumes app
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "api",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ["ZM_DJANGO_DB_NAME"],
        "USER": os.environ["ZM_DJANGO_DB_USER"],
        "PASSWORD": os.environ["ZM_DJANGO_DB_PASSWORD"],
        "HOST": os.environ["ZM_DJANGO_DB_SOCKET"],  # a path: Django connects over the unix socket
        "OPTIONS": {"charset": "utf8mb4"},
        # persistent connections, as a production deployment would run it: the comparison
        # should not charge Django a connect per request
        "CONN_MAX_AGE": 600,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_L10N = True
USE_TZ = True
STATIC_URL = "/static/"

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# seed 001, section 4.1
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=60),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
