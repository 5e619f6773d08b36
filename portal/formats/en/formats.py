# English as our customers in Japan read it: day month year, 24-hour clock (Django's date syntax).
DATE_FORMAT = "j M Y"  # 3 Dec 2026
DATETIME_FORMAT = "j M Y, H:i"  # 3 Dec 2026, 14:05
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j M"  # 3 Dec
SHORT_DATE_FORMAT = "j M"
