# Japanese dates as written in Japan (Django's date syntax).
DATE_FORMAT = "Y年n月j日"  # 2026年12月3日
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月3日 14:05
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月
MONTH_DAY_FORMAT = "n月j日"  # 12月3日
SHORT_DATE_FORMAT = "n/j"
