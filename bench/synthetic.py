"""Deterministic synthetic Vietnamese applicants for benchmarks and load tests.

Everything here is made up but shaped like the real thing, so that indexes, FTS5 token statistics
and page sizes behave as they would at a commune counter:

* names: family names drawn with their national frequencies (Nguyễn ≈ 38 %, Trần ≈ 12 %, Lê ≈ 9.5 %
  …, Hoàng/Huỳnh and Vũ/Võ split north/south), a gendered middle name ("Thị" dominating for older
  women, "Văn" for older men, one or two middle names) and a given name with a long-tailed
  popularity; both tone-mark styles ("Hoà"/"Hòa", "Thuỷ"/"Thủy") appear, as they do in real data;
* addresses in the two-level shape in force since 1 July 2025 (thôn/xóm/ấp/bản/tổ dân phố, then
  xã/phường/đặc khu, then one of the 34 provinces), mostly in the counter's own commune;
* 12-digit căn cước numbers whose birth-province prefix, gender/century digit and birth year agree
  with the person;
* 10-digit mobile numbers with real network prefixes weighted by market share.

Same seed, same people: :class:`Synth` draws from its own ``random.Random`` and never from the global
one, and :func:`person_at` gives person *i* of a population without generating the others (so a
million-row build does not hold a million people in memory and can revisit a returning applicant).

Nothing here touches a database or the counter's code except :func:`counter_app.domain.text.fold`,
used to make the accent-free queries an official types.
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from counter_app.domain.text import fold

__all__ = [
    "GENERATOR_VERSION",
    "HOME_COMMUNE",
    "PROCEDURE_WEIGHTS",
    "Person",
    "Synth",
    "person_at",
]

GENERATOR_VERSION = 1
"""Bump when the output for a given seed changes (benchmark caches are keyed by it)."""

Gender = Literal["male", "female"]
Region = Literal["north", "central", "south"]

# ---------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------

# Family names with their approximate share of the population (per cent). The big fourteen follow
# the figures usually quoted from the national census studies; the tail shares the remaining ~10 %.
# "Hoàng/Huỳnh" and "Vũ/Võ" are one lineage each, written differently north and south: the split is
# applied per person from the region of birth.
_FAMILY_SHARES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4),
    ("Trần", 12.1),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng/Huỳnh", 5.1),
    ("Phan", 4.5),
    ("Vũ/Võ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đào", 0.55),
    ("Đoàn", 0.55),
    ("Đinh", 0.55),
    ("Trương", 0.5),
    ("Trịnh", 0.5),
    ("Lương", 0.45),
    ("Mai", 0.4),
    ("Cao", 0.4),
    ("Lâm", 0.35),
    ("Hà", 0.35),
    ("Phùng", 0.3),
    ("Tạ", 0.3),
    ("Tô", 0.3),
    ("Lưu", 0.3),
    ("Chu", 0.25),
    ("Vương", 0.25),
    ("Thái", 0.2),
    ("Châu", 0.2),
    ("Quách", 0.2),
    ("Kiều", 0.2),
    ("Triệu", 0.2),
    ("Lại", 0.2),
    ("Nông", 0.2),
    ("Khúc", 0.15),
    ("Tăng", 0.15),
    ("Hứa", 0.15),
    ("Đàm", 0.15),
    ("Doãn", 0.1),
    ("Mạc", 0.1),
    ("Thân", 0.1),
    ("Tống", 0.1),
    ("Từ", 0.1),
    ("La", 0.1),
    ("Lò", 0.1),
    ("Giang", 0.1),
    ("Âu", 0.05),
    ("Khổng", 0.05),
    ("Ông", 0.05),
    ("Vi", 0.05),
    ("Kim", 0.05),
)

# Middle names. Older generations: "Văn" for most men, "Thị" for most women; younger ones choose
# freely. Weights are relative within each list.
_MIDDLE_MALE_OLD: tuple[tuple[str, float], ...] = (
    ("Văn", 62), ("Đức", 6), ("Hữu", 6), ("Đình", 5), ("Xuân", 4), ("Công", 4), ("Quang", 3),
    ("Ngọc", 3), ("Trọng", 2), ("Bá", 2), ("Khắc", 1), ("Viết", 1), ("Thế", 1),
)  # fmt: skip
_MIDDLE_MALE_YOUNG: tuple[tuple[str, float], ...] = (
    ("Văn", 22), ("Minh", 12), ("Đức", 9), ("Quang", 6), ("Hữu", 5), ("Thành", 5), ("Anh", 4),
    ("Tuấn", 4), ("Quốc", 4), ("Gia", 4), ("Duy", 4), ("Hoàng", 3), ("Tiến", 3), ("Trung", 3),
    ("Xuân", 2), ("Công", 2), ("Mạnh", 2), ("Ngọc", 2), ("Thanh", 2), ("Đăng", 2), ("Bảo", 2),
    ("Việt", 2), ("Nhật", 1), ("Khánh", 1),
)  # fmt: skip
_MIDDLE_FEMALE_OLD: tuple[tuple[str, float], ...] = (
    ("Thị", 84), ("Ngọc", 4), ("Thu", 3), ("Kim", 3), ("Thanh", 2), ("Hồng", 2), ("Bích", 1),
    ("Xuân", 1),
)  # fmt: skip
_MIDDLE_FEMALE_YOUNG: tuple[tuple[str, float], ...] = (
    ("Thị", 38), ("Ngọc", 8), ("Thu", 6), ("Thanh", 5), ("Phương", 5), ("Thùy", 4), ("Minh", 4),
    ("Hồng", 3), ("Kim", 3), ("Khánh", 3), ("Bảo", 3), ("Mai", 3), ("Hoài", 2), ("Diệu", 2),
    ("Quỳnh", 2), ("Thúy", 2), ("Hải", 2), ("Ánh", 2), ("Lan", 1), ("Tú", 1), ("Cẩm", 1),
)  # fmt: skip
# A second middle name after "Thị"/"Văn" ("Nguyễn Thị Thu Hương", "Trần Văn Minh Tuấn").
_SECOND_MIDDLE_FEMALE = ("Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh", "Bích", "Thúy", "Phương")
_SECOND_MIDDLE_MALE = ("Minh", "Đức", "Quang", "Thanh", "Anh", "Hoàng", "Ngọc")

# Given names, most popular first; weight of rank r is 1 / (r + 4), a long tail as in real lists.
_GIVEN_MALE = (
    "Anh", "Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Hải", "Long", "Sơn", "Thắng", "Cường", "Hiếu",
    "Huy", "Đức", "Trung", "Quân", "Tùng", "Phong", "Thành", "Hưng", "Bình", "Hoàng", "Tâm",
    "Toàn", "Việt", "Khoa", "Kiên", "Lâm", "Phúc", "Quang", "Tài", "Thịnh", "Vinh", "Bảo", "Đạt",
    "Duy", "Khánh", "Lợi", "Nghĩa", "Tiến", "Chiến", "Công", "Định", "Giang", "Hiệp", "Hòa",
    "Hậu", "Khải", "Lực", "Mạnh", "Nhân", "Phát", "Quý", "Sang", "Tân", "Thái", "Thanh", "Thông",
    "Trọng", "Trường", "Tú", "Văn", "Vũ", "Vượng", "Xuân", "Đông", "Hiển", "Luân", "Ngọc", "Nguyên",
    "Quyết", "Sỹ", "Tuệ", "Thuận", "Chung", "Khôi", "Đăng", "Hào", "An", "Thiện",
)  # fmt: skip
_GIVEN_FEMALE = (
    "Hương", "Lan", "Hoa", "Linh", "Hằng", "Trang", "Thảo", "Hà", "Mai", "Ngọc", "Phương", "Nhung",
    "Thủy", "Yến", "Hạnh", "Huyền", "Hiền", "Anh", "Dung", "Loan", "Nga", "Thúy", "Vân", "Oanh",
    "Thu", "Hòa", "Liên", "Tâm", "Giang", "Hồng", "Trinh", "Quyên", "Nhàn", "Thanh", "Duyên",
    "Chi", "Vy", "My", "Quỳnh", "Uyên", "Xuân", "Lệ", "Lý", "Hải", "Huệ", "Hậu", "Tuyết", "Nhi",
    "Ngân", "Diệp", "Gấm", "Hiên", "Khánh", "Liễu", "Lụa", "Mơ", "Mến", "Nguyệt", "Phượng",
    "Sen", "Tươi", "Thơm", "Trâm", "Vui", "Ánh", "Bích", "Châu", "Diệu", "Đào", "Hiếu", "Hường",
    "Kim", "Lành", "Mận", "Ninh", "Quế", "Sương", "Thoa", "Tình",
)  # fmt: skip

# Old-style tone placement ("hoà", "thuỷ", "thuý"): common in older records and on many keyboards.
_OLD_STYLE = {"Hòa": "Hoà", "Thủy": "Thuỷ", "Thúy": "Thuý", "Khỏe": "Khoẻ", "Hóa": "Hoá", "Túy": "Tuý"}

# The 34 provinces since 1 July 2025, with the pre-2025 birth-registration codes (căn cước prefixes)
# of the provinces merged into each, and a region. The counter's own province comes first.
_PROVINCES: tuple[tuple[str, tuple[int, ...], Region], ...] = (
    ("thành phố Hải Phòng", (31, 30), "north"),
    ("thành phố Hà Nội", (1,), "north"),
    ("tỉnh Hưng Yên", (33, 34), "north"),
    ("tỉnh Quảng Ninh", (22,), "north"),
    ("tỉnh Ninh Bình", (37, 35, 36), "north"),
    ("tỉnh Bắc Ninh", (27, 24), "north"),
    ("tỉnh Thái Nguyên", (19, 6), "north"),
    ("tỉnh Phú Thọ", (25, 26, 17), "north"),
    ("tỉnh Lạng Sơn", (20,), "north"),
    ("tỉnh Cao Bằng", (4,), "north"),
    ("tỉnh Tuyên Quang", (8, 2), "north"),
    ("tỉnh Lào Cai", (10, 15), "north"),
    ("tỉnh Điện Biên", (11,), "north"),
    ("tỉnh Lai Châu", (12,), "north"),
    ("tỉnh Sơn La", (14,), "north"),
    ("tỉnh Thanh Hóa", (38,), "central"),
    ("tỉnh Nghệ An", (40,), "central"),
    ("tỉnh Hà Tĩnh", (42,), "central"),
    ("tỉnh Quảng Trị", (45, 44), "central"),
    ("thành phố Huế", (46,), "central"),
    ("thành phố Đà Nẵng", (48, 49), "central"),
    ("tỉnh Quảng Ngãi", (51, 62), "central"),
    ("tỉnh Gia Lai", (64, 52), "central"),
    ("tỉnh Khánh Hòa", (56, 58), "central"),
    ("tỉnh Đắk Lắk", (66, 54), "central"),
    ("tỉnh Lâm Đồng", (68, 67, 60), "south"),
    ("thành phố Hồ Chí Minh", (79, 74, 77), "south"),
    ("tỉnh Đồng Nai", (75, 70), "south"),
    ("tỉnh Tây Ninh", (72, 80), "south"),
    ("thành phố Cần Thơ", (92, 93, 94), "south"),
    ("tỉnh Vĩnh Long", (86, 83, 84), "south"),
    ("tỉnh Đồng Tháp", (87, 82), "south"),
    ("tỉnh An Giang", (89, 91), "south"),
    ("tỉnh Cà Mau", (96, 95), "south"),
)  # fmt: skip
# Where the applicants of a Hải Phòng commune come from (relative weights, province order above).
_PROVINCE_WEIGHTS = (
    78, 5, 3, 2, 2, 1, 1, 1, 0.3, 0.2, 0.3, 0.3, 0.1, 0.1, 0.2,
    1.2, 0.8, 0.4, 0.2, 0.2, 0.3, 0.1, 0.1, 0.1, 0.1,
    0.1, 0.6, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
)  # fmt: skip

HOME_COMMUNE = "xã Vĩnh Bảo"
"""The counter's commune in the benchmarks and the crash test (code 11410, Hải Phòng)."""
_HOME_HAMLETS = (
    "Thôn Đông", "Thôn Tây", "Thôn Nam", "Thôn Bắc", "Thôn Trung", "Thôn Thượng", "Thôn Hạ",
    "Thôn An Lạc", "Thôn Phú Mỹ", "Thôn Hòa Bình", "Thôn Tân Hưng", "Thôn Cổ Am", "Thôn Đồng Tâm",
    "Thôn Liên Minh", "Thôn Quang Trung", "Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn 5",
    "Xóm Mới", "Xóm Chùa", "Xóm Đình", "Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3",
    "Tổ dân phố Tân Tiến", "Tổ dân phố Cầu Nghìn",
)  # fmt: skip
# Roots of commune and ward names, common all over the country.
_PLACE_ROOTS = (
    "An Hòa", "An Phú", "Bình Minh", "Cẩm Giàng", "Đại Đồng", "Đông Hưng", "Đồng Tâm", "Gia Lộc",
    "Hòa Bình", "Hồng Phong", "Hưng Đạo", "Kiến Thụy", "Liên Hòa", "Minh Đức", "Nam Sơn",
    "Ngọc Lâm", "Phú Lương", "Phúc Thọ", "Quang Trung", "Quyết Thắng", "Tân Dân", "Tân Phong",
    "Tân Tiến", "Thanh Hà", "Thống Nhất", "Thuận Thành", "Tiên Lãng", "Trung Hòa", "Việt Hưng",
    "Vĩnh Hòa", "Vĩnh Thịnh", "Xuân Phương", "Yên Hòa", "Long Biên", "Ngô Quyền", "Lê Chân",
    "Hồng Bàng", "Kiến An", "An Dương", "Thủy Nguyên", "Đồ Sơn", "Dương Kinh", "Hải An",
)  # fmt: skip
_HAMLET_WORDS = {
    "north": ("Thôn", "Thôn", "Thôn", "Xóm", "Tổ dân phố"),
    "central": ("Thôn", "Thôn", "Xóm", "Tổ dân phố", "Khối"),
    "south": ("Ấp", "Ấp", "Ấp", "Khu phố", "Tổ dân phố"),
}
_HAMLET_NAMES = (
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Mới", "Chợ", "Đình", "Phú Xuân",
    "Tân Lập", "Tân Thành", "Bình An", "Long Hòa", "Hòa Lạc", "Phước Lộc", "Mỹ Thạnh", "Đồng Lạc",
)  # fmt: skip
_STREETS = (
    "Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Hùng Vương", "Quang Trung", "Lý Thường Kiệt",
    "Hai Bà Trưng", "Nguyễn Huệ", "Trần Phú", "Lê Duẩn", "Phạm Văn Đồng", "Nguyễn Văn Linh",
    "Tôn Đức Thắng", "Đường 17B", "Đường 10", "Võ Nguyên Giáp", "Điện Biên Phủ", "Cầu Nghìn",
)  # fmt: skip

# Mobile prefixes (10 digits since the 2018 renumbering) and the network's market share (per cent).
_MOBILE_NETWORKS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"), 54),
    (("088", "091", "094", "081", "082", "083", "084", "085"), 25),
    (("089", "090", "093", "070", "076", "077", "078", "079"), 18),
    (("092", "056", "058", "052"), 1.5),
    (("099", "059"), 0.7),
    (("087",), 0.8),
)

PROCEDURE_WEIGHTS: dict[str, float] = {
    # Chứng thực is most of a commune counter's day; then hộ tịch, cư trú, land and social files.
    "2.000815": 30.0,  # chứng thực bản sao từ bản chính
    "2.000884": 12.0,  # chứng thực chữ ký
    "2.001035": 4.0,
    "2.001019": 0.5,
    "2.001406": 0.8,
    "2.000908": 1.0,
    "2.000913": 0.3,
    "1.001193": 7.0,  # khai sinh
    "1.000656": 3.0,  # khai tử
    "1.000894": 2.5,  # kết hôn
    "1.004873": 6.0,  # xác nhận tình trạng hôn nhân
    "2.000635": 5.0,  # bản sao trích lục
    "1.004859": 1.2,
    "1.004837": 0.1,
    "1.001022": 0.2,
    "1.000689": 0.2,
    "1.004884": 0.6,
    "1.005461": 0.2,
    "2.000528": 0.1,
    "2.000986": 2.0,
    "2.001263": 0.05,
    "1.004222": 3.0,
    "1.004194": 3.0,
    "1.010041": 4.0,
    "1.001612": 0.8,
    "2.000720": 0.4,
    "1.001570": 0.2,
    "1.001266": 0.2,
    "1.012812": 0.3,
    "1.013967": 0.1,
    "1.012796": 0.3,
    "1.011607": 0.6,
    "1.011608": 0.3,
    "1.001731": 0.3,
    "1.002211": 0.05,
    "1.013225": 0.8,
}
"""How often each procedure of the default catalog comes to a commune counter (relative)."""


# ---------------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One made-up applicant. Text is NFC, as the counter stores it."""

    family: str
    middle: str
    """One or two middle names ("Thị", "Thị Thu"); may be empty (rare)."""
    given: str
    gender: Gender
    birth_date: date
    id_number: str
    """12-digit căn cước."""
    phone: str
    """10-digit mobile, or "" (some applicants give none)."""
    address: str
    region: Region

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)

    def applicant(self) -> dict[str, str]:
        """The ``applicant`` object of an intake (``counter receive --json``)."""
        data = {
            "name": self.name,
            "id_number": self.id_number,
            "address": self.address,
            "birth_date": self.birth_date.isoformat(),
        }
        if self.phone:
            data["phone"] = self.phone
        return data


class _Weighted:
    """A fixed weighted choice, drawn with one ``random()`` call and a bisect (fast, stable)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum = tuple(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _ranked(names: Sequence[str], offset: float = 4.0) -> _Weighted:
    return _Weighted(names, [1.0 / (rank + offset) for rank in range(len(names))])


def _pairs(pairs: Sequence[tuple[Any, float]]) -> _Weighted:
    return _Weighted([p[0] for p in pairs], [p[1] for p in pairs])


_FAMILY = _pairs(_FAMILY_SHARES)
_MIDDLE = {
    ("male", True): _pairs(_MIDDLE_MALE_OLD),
    ("male", False): _pairs(_MIDDLE_MALE_YOUNG),
    ("female", True): _pairs(_MIDDLE_FEMALE_OLD),
    ("female", False): _pairs(_MIDDLE_FEMALE_YOUNG),
}
_GIVEN = {"male": _ranked(_GIVEN_MALE), "female": _ranked(_GIVEN_FEMALE)}
_PROVINCE = _Weighted(range(len(_PROVINCES)), _PROVINCE_WEIGHTS)
_NETWORK = _pairs(_MOBILE_NETWORKS)
# Adults at a commune counter: ages 18-90, most between 25 and 65.
_AGE = _Weighted(range(18, 91), [1.0 if 25 <= a <= 65 else (0.6 if a < 25 else 0.35) for a in range(18, 91)])


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


class Synth:
    """A seeded source of synthetic applicants, names, addresses, ID numbers and phones.

    Args:
        seed: Same seed, same sequence of values.
        today: The reference day for ages (birth dates are computed back from it).
    """

    def __init__(self, seed: int = 2026, today: date = date(2026, 11, 25)) -> None:
        self.rng = random.Random(seed)
        self.today = today

    # -- names -------------------------------------------------------------------------------

    def family(self, region: Region = "north") -> str:
        """A family name with its national frequency, spelled as in ``region``."""
        name = _FAMILY.pick(self.rng)
        if "/" in name:
            north, south = name.split("/")
            # Huỳnh and Võ dominate from the central provinces southwards.
            south_share = {"north": 0.05, "central": 0.6, "south": 0.85}[region]
            name = south if self.rng.random() < south_share else north
        return name

    def middle(self, gender: Gender, older: bool) -> str:
        """One middle name, sometimes two ("Thị Thu"); rarely none."""
        r = self.rng.random()
        if r < 0.01:
            return ""
        first = _MIDDLE[(gender, older)].pick(self.rng)
        if first in ("Thị", "Văn") and r > (0.86 if gender == "female" else 0.96):
            pool = _SECOND_MIDDLE_FEMALE if gender == "female" else _SECOND_MIDDLE_MALE
            return f"{first} {self.rng.choice(pool)}"
        return first

    def given(self, gender: Gender) -> str:
        """A given name, popular ones more often; old tone-mark style for some."""
        name = _GIVEN[gender].pick(self.rng)
        if name in _OLD_STYLE and self.rng.random() < 0.35:
            return _OLD_STYLE[name]
        return name

    def name(self, gender: Gender | None = None, region: Region = "north", older: bool = True) -> str:
        """A full name: family, middle name(s), given name."""
        g: Gender = gender or ("female" if self.rng.random() < 0.55 else "male")
        parts = (self.family(region), self.middle(g, older), self.given(g))
        return _nfc(" ".join(p for p in parts if p))

    # -- places, numbers ---------------------------------------------------------------------

    def address(self, province_index: int | None = None) -> str:
        """An address in the post-2025 shape: hamlet or street, commune or ward, province."""
        index = _PROVINCE.pick(self.rng) if province_index is None else province_index
        province, _, region = _PROVINCES[index]
        rng = self.rng
        if index == 0 and rng.random() < 0.85:
            # The counter's own commune: most applicants live here.
            hamlet = rng.choice(_HOME_HAMLETS)
            if hamlet.startswith("Tổ") and rng.random() < 0.5:
                hamlet = f"Số {rng.randint(1, 180)}, {hamlet}"
            return _nfc(f"{hamlet}, {HOME_COMMUNE}, {province}")
        root = rng.choice(_PLACE_ROOTS)
        if rng.random() < 0.35:  # a ward (phường) in town: street address
            street = rng.choice(_STREETS)
            lane = f"ngõ {rng.randint(1, 120)}, " if rng.random() < 0.4 else ""
            return _nfc(f"Số {rng.randint(1, 400)}, {lane}đường {street}, phường {root}, {province}")
        word = rng.choice(_HAMLET_WORDS[region])
        hamlet = (
            f"{word} {rng.randint(1, 15)}" if rng.random() < 0.4 else f"{word} {rng.choice(_HAMLET_NAMES)}"
        )
        return _nfc(f"{hamlet}, xã {root}, {province}")

    def id_number(self, birth: date, gender: Gender, province_index: int = 0) -> str:
        """A 12-digit căn cước: birth-province code, gender/century digit, birth year, 6 digits."""
        codes = _PROVINCES[province_index][1]
        prefix = self.rng.choice(codes)
        century = 0 if birth.year < 2000 else 2
        digit = century + (1 if gender == "female" else 0)
        return f"{prefix:03d}{digit}{birth.year % 100:02d}{self.rng.randrange(1_000_000):06d}"

    def phone(self) -> str:
        """A 10-digit mobile number with a real network prefix."""
        prefix = self.rng.choice(_NETWORK.pick(self.rng))
        return f"{prefix}{self.rng.randrange(10_000_000):07d}"

    def birth_date(self) -> date:
        age = _AGE.pick(self.rng)
        return self.today - timedelta(days=int(age * 365.25) + self.rng.randrange(365))

    # -- whole people and intakes ------------------------------------------------------------

    def person(self) -> Person:
        """A consistent applicant: name by region and generation, ID matching birth and gender."""
        rng = self.rng
        gender: Gender = "female" if rng.random() < 0.55 else "male"
        birth = self.birth_date()
        home = _PROVINCE.pick(rng)
        region = _PROVINCES[home][2]
        # Born elsewhere than where one lives for about one person in six.
        born_in = home if rng.random() < 0.83 else _PROVINCE.pick(rng)
        older = birth.year < 1985
        name_parts = (self.family(region), self.middle(gender, older), self.given(gender))
        family, middle, given = (_nfc(p) for p in name_parts)
        return Person(
            family=family,
            middle=middle,
            given=given,
            gender=gender,
            birth_date=birth,
            id_number=self.id_number(birth, gender, born_in),
            phone=self.phone() if rng.random() < 0.9 else "",
            address=self.address(home),
            region=region,
        )

    def intake(self, procedure: str = "1.004873", person: Person | None = None) -> dict[str, Any]:
        """A valid intake mapping for ``Desk.receive`` (the procedure's default documents)."""
        who = person or self.person()
        return {"procedure": procedure, "applicant": who.applicant()}

    def procedure(self, available: Sequence[str] | None = None) -> str:
        """A procedure code drawn with :data:`PROCEDURE_WEIGHTS` (restricted to ``available``)."""
        codes = [c for c in PROCEDURE_WEIGHTS if available is None or c in available]
        weights = [PROCEDURE_WEIGHTS[c] for c in codes]
        return self.rng.choices(codes, weights)[0]

    # -- what officials type -----------------------------------------------------------------

    def name_query(self, person: Person) -> str:
        """What an official types to find ``person``: accent-free, full or partial, in name order.

        Mix: full name ("dang thi hoa") 40 %, family + middle ("nguyen van") 15 %, middle + given
        ("thi hoa") 15 %, family + given ("dang hoa") 10 %, given alone ("hoa") 5 %, full name cut
        while typing ("nguyen thi th") 15 %.
        """
        family, middle, given = (fold(p) for p in (person.family, person.middle, person.given))
        full = " ".join(p for p in (family, middle, given) if p)
        r = self.rng.random()
        if r < 0.40:
            return full
        if r < 0.55:
            return " ".join(p for p in (family, middle) if p)
        if r < 0.70:
            return " ".join(p for p in (middle, given) if p)
        if r < 0.80:
            return f"{family} {given}"
        if r < 0.85:
            return given
        cut = self.rng.randint(max(1, len(full) - len(given) + 1), len(full))
        return full[:cut].rstrip()


def person_at(seed: int, index: int) -> Person:
    """Person number ``index`` of the population of ``seed``, without generating the others.

    The same (seed, index) always gives the same person, so a build can bring an applicant back
    for a second dossier by index alone.
    """
    return Synth(seed * 1_000_003 + index).person()
