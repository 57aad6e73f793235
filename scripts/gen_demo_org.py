#!/usr/bin/env python3
"""Generate config/demo/organisation.json, the demo organisation of the 爱大足 积分制 pilot.

The JSON file is the source of truth (the Rust code `include_str!`s it); this script documents how it
was made and can reproduce it byte for byte. Standard library only, Python 3.11, fixed random seed.

    python3 scripts/gen_demo_org.py            # regenerate and validate
    python3 scripts/gen_demo_org.py --check    # validate the committed file, fail if it is stale

Every person is invented. Mobile numbers are "100" + 8 digits: the 100 prefix is not allocated to any
Chinese carrier, so no number can reach a real phone.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

SEED = 20210901  # the pilot started in September 2021
REFERENCE_YEAR = 2026  # ages (child, adult, elderly) are computed against this year
CORP_ID = "dingaidazudemo0001"
OUTPUT = Path(__file__).resolve().parent.parent / "config" / "demo" / "organisation.json"

ADULT_AGE = 18
ELDERLY_AGE = 70  # from this age on: no mobile in the demo data
MIGRANT_MIN_AGE, MIGRANT_MAX_AGE = 18, 55

TARGET_ABSENT = 0.12
TARGET_PARTY = 0.08
NON_VILLAGER_HOUSEHOLDS_PER_VILLAGE = 3  # about 5 % of the members

DISTRICT = {"code": "dazu", "name": "大足区", "deptId": 1}


@dataclass(frozen=True)
class VillagePlan:
    town_code: str
    town_name: str
    town_dept: int
    code: str
    name: str
    dept: int
    group_word: str  # 组 in villages, 社 in the 慈航 community
    groups: int
    households: int
    # Dominant surnames per group (rural groups are often clan-based).
    clans: tuple[tuple[str, ...], ...]


VILLAGES = (
    VillagePlan("tangxiang", "棠香街道", 10, "heping", "和平村", 11, "组", 5, 50,
                (("杨", "刘"), ("王",), ("陈", "李"), ("张",), ("刘", "周"))),
    VillagePlan("baoding", "宝顶镇", 20, "cihang", "慈航社区", 21, "社", 6, 52,
                (("李",), ("罗", "唐"), ("黄",), ("陈",), ("吴", "何"), ("邓",))),
    VillagePlan("shiwan", "拾万镇", 30, "changhong", "长虹村", 31, "组", 4, 48,
                (("蒋", "王"), ("彭",), ("胡", "谢"), ("曾",))),
    VillagePlan("gaosheng", "高升镇", 40, "xuguang", "旭光村", 41, "组", 5, 51,
                (("郭",), ("冯", "张"), ("梁",), ("赵", "宋"), ("徐",))),
)

CHINESE_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九"]

# Common surnames in Chongqing, roughly weighted.
SURNAMES = [
    ("张", 9), ("王", 9), ("李", 9), ("刘", 8), ("陈", 8), ("杨", 6), ("黄", 5), ("赵", 4), ("周", 5),
    ("吴", 4), ("徐", 3), ("孙", 2), ("胡", 4), ("朱", 3), ("高", 2), ("林", 2), ("何", 4), ("郭", 3),
    ("马", 2), ("罗", 4), ("梁", 2), ("宋", 2), ("郑", 2), ("谢", 3), ("唐", 4), ("韩", 1), ("曹", 2),
    ("许", 2), ("邓", 4), ("冯", 2), ("蒋", 3), ("彭", 3), ("曾", 3), ("余", 3), ("雷", 2), ("谭", 3),
    ("付", 2), ("肖", 2), ("田", 2), ("袁", 2), ("廖", 2), ("熊", 1), ("秦", 1), ("龚", 1), ("向", 1),
]

# Given names by generation (birth-year upper bound) and gender. Mixed one- and two-character names.
GIVEN_NAMES = [
    (1959, {
        "male": ["德明", "国华", "建国", "福全", "树清", "光荣", "学文", "开云", "永福", "长林", "德全",
                 "世华", "明清", "志成", "正国", "启贵", "德", "福", "贵", "清", "成", "荣", "全"],
        "female": ["秀英", "桂英", "淑芬", "素珍", "玉兰", "桂兰", "秀兰", "翠英", "凤英", "明芳", "秀珍",
                   "玉珍", "淑华", "正芳", "素华", "群芳", "兰", "英", "珍", "芳"],
    }),
    (1979, {
        "male": ["建华", "国平", "小平", "永红", "志强", "建军", "光明", "德勇", "世伦", "开明", "中华",
                 "红军", "远平", "明全", "勇", "军", "平", "伟", "明", "刚", "斌"],
        "female": ["小琴", "玉梅", "红梅", "素琼", "晓燕", "秀琼", "春梅", "明英", "德芳", "永碧", "小华",
                   "丽", "琼", "华", "英", "芳", "萍", "容"],
    }),
    (1999, {
        "male": ["小龙", "海峰", "建波", "文杰", "俊杰", "志刚", "家豪", "小兵", "伟", "涛", "勇", "杰",
                 "强", "磊", "鹏", "浩", "俊", "林", "波", "川"],
        "female": ["小燕", "春燕", "晓丽", "亚琴", "雪梅", "小红", "玉洁", "丽", "静", "敏", "燕", "娟",
                   "莉", "婷", "雪", "丹", "倩", "霞"],
    }),
    (9999, {
        "male": ["浩然", "子轩", "宇航", "俊熙", "梓豪", "一鸣", "浩宇", "博文", "思远", "皓轩", "锦程",
                 "沐辰", "家乐", "睿", "宇", "轩", "航", "鑫"],
        "female": ["欣怡", "梓涵", "雨桐", "诗涵", "可馨", "紫萱", "佳怡", "梦琪", "若曦", "思琪", "语嫣",
                   "一诺", "雨欣", "欣", "悦", "彤", "琳"],
    }),
]

# Household templates and their weights. Rural Chongqing: many elderly couples and left-behind
# grandparents raising grandchildren while the middle generation works in the cities.
TEMPLATE_WEIGHTS = [
    ("elderly_single", 10), ("elderly_couple", 16), ("nuclear", 17), ("stem", 19), ("three_gen_up", 14),
    ("left_behind", 13), ("single_adult", 5), ("siblings", 3), ("widow_family", 3),
]
NON_VILLAGER_TEMPLATES = ["nuclear", "nuclear", "single_adult", "elderly_couple"]
MAX_MEMBERS = 6
LAST_BIRTH_YEAR = 2024


@dataclass(frozen=True)
class FixedAccount:
    """A named person docs and tests refer to, living in a given household."""

    user_id: str
    household: str
    template: str
    head_birth_year: int
    relation: str  # which member of the household carries the account ("head" or "spouse")
    party_member: bool
    staff_role: str | None
    staff_scope: str | None


FIXED_ACCOUNTS = [
    FixedAccount("demo-villager", "heping-01-001", "three_gen_up", 1978, "head", False, None, None),
    FixedAccount("demo-admin", "heping-02-001", "stem", 1969, "head", True, "village_admin", "heping"),
    FixedAccount("demo-committee", "heping-03-001", "nuclear", 1976, "spouse", True,
                 "village_committee", "heping"),
    FixedAccount("admin-cihang", "cihang-01-001", "three_gen_up", 1971, "head", True, "village_admin",
                 "cihang"),
    FixedAccount("admin-changhong", "changhong-01-001", "nuclear", 1982, "spouse", True,
                 "village_admin", "changhong"),
    FixedAccount("admin-xuguang", "xuguang-01-001", "stem", 1966, "head", True, "village_admin",
                 "xuguang"),
]
FIXED_BY_HOUSEHOLD = {f.household: f for f in FIXED_ACCOUNTS}

# Staff who are not residents of a pilot village (name, role, scope).
OFFICERS = [
    ("demo-town", "刘志刚", "town_officer", "tangxiang"),
    ("demo-district", "陈晓梅", "district_officer", "dazu"),
]
STAFF_ORDER = ["demo-admin", "demo-committee", "demo-town", "demo-district", "admin-cihang",
               "admin-changhong", "admin-xuguang"]

RELATION_ORDER = ["head", "spouse", "parent", "child", "child_in_law", "grandchild", "sibling", "other"]
RELATIONS = set(RELATION_ORDER)
ROLES = {"village_admin", "village_committee", "town_officer", "district_officer"}


@dataclass
class Person:
    relation: str
    gender: str
    birth_year: int
    surname: str
    given: str
    prefer_absent: bool = False
    kind: str = "villager"
    absent: bool = False
    opted_in: bool | None = None
    party: bool = False
    mobile: str | None = None
    user_id: str | None = None
    member_id: str = ""
    fixed: FixedAccount | None = None

    @property
    def name(self) -> str:
        return self.surname + self.given

    @property
    def age(self) -> int:
        return REFERENCE_YEAR - self.birth_year


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.mobiles: set[str] = set()

    # ---- names -------------------------------------------------------------------------------

    def surname(self, exclude: str | None = None) -> str:
        names = [s for s, _ in SURNAMES]
        weights = [w for _, w in SURNAMES]
        while True:
            pick = self.rng.choices(names, weights)[0]
            if pick != exclude:
                return pick

    def clan_surname(self, clans: tuple[str, ...]) -> str:
        if self.rng.random() < 0.6:
            return self.rng.choice(clans)
        return self.surname()

    def given(self, gender: str, birth_year: int, taken: set[str], surname: str) -> str:
        pool = next(names for bound, names in GIVEN_NAMES if birth_year <= bound)[gender]
        while True:
            pick = self.rng.choice(pool)
            if surname + pick not in taken:
                taken.add(surname + pick)
                return pick

    # ---- households --------------------------------------------------------------------------

    def household(self, template: str, family: str, head_year: int | None) -> list[Person]:
        rng = self.rng
        taken: set[str] = set()
        people: list[Person] = []

        def add(relation: str, gender: str, year: int, surname: str, prefer_absent: bool = False) -> Person:
            person = Person(relation, gender, year, surname, self.given(gender, year, taken, surname),
                            prefer_absent)
            people.append(person)
            return person

        def year(lo: int, hi: int) -> int:
            return head_year if head_year is not None else rng.randint(lo, hi)

        def children(parent_year: int, count: int, relation: str, surname: str,
                     prefer_absent_adults: bool = False, lo: int = 23, hi: int = 32) -> list[Person]:
            born = parent_year + rng.randint(lo, hi)
            made = []
            for _ in range(count):
                if born > LAST_BIRTH_YEAR or len(people) >= MAX_MEMBERS:
                    break
                gender = rng.choice(["male", "female"])
                adult = REFERENCE_YEAR - born >= ADULT_AGE
                made.append(add(relation, gender, born, surname, prefer_absent_adults and adult))
                born += rng.randint(1, 5)
            return made

        def wife_of(husband_year: int, husband_surname: str) -> Person:
            return add("spouse", "female", min(husband_year + rng.randint(0, 4), LAST_BIRTH_YEAR - 18),
                       self.surname(exclude=husband_surname))

        if template == "elderly_single":
            gender = "female" if rng.random() < 0.6 else "male"
            surname = family if gender == "male" else self.surname(exclude=family)
            add("head", gender, year(1936, 1958), surname)
        elif template == "elderly_couple":
            head = add("head", "male", year(1938, 1960), family)
            wife_of(head.birth_year, family)
        elif template == "nuclear":
            head = add("head", "male", year(1972, 1994), family)
            wife = wife_of(head.birth_year, family)
            children(wife.birth_year, rng.choice([1, 1, 2, 2, 2]), "child", family)
            if rng.random() < 0.06 and len(people) < MAX_MEMBERS:
                # a nephew or niece staying with the family
                add("other", rng.choice(["male", "female"]), rng.randint(2006, 2014), family)
        elif template == "stem":
            head = add("head", "male", year(1948, 1966), family)
            wife = wife_of(head.birth_year, family)
            son_year = wife.birth_year + rng.randint(22, 30)
            son = add("child", "male", son_year, family, prefer_absent=True)
            add("child_in_law", "female", son_year + rng.randint(0, 4), self.surname(exclude=family),
                prefer_absent=True)
            children(son.birth_year, rng.choice([0, 1, 1, 2]), "grandchild", family)
            if rng.random() < 0.2:
                children(wife.birth_year + 28, 1, "child", family, prefer_absent_adults=True, lo=0, hi=4)
        elif template == "three_gen_up":
            head = add("head", "male", year(1966, 1988), family)
            father_year = max(head.birth_year - rng.randint(24, 32), 1932)
            if rng.random() < 0.6:
                add("parent", "male", father_year, family)
            add("parent", "female", min(father_year + rng.randint(0, 4), head.birth_year - 20),
                self.surname(exclude=family))
            wife = wife_of(head.birth_year, family)
            children(wife.birth_year, rng.choice([1, 1, 2]), "child", family, prefer_absent_adults=True)
        elif template == "left_behind":
            head = add("head", "male", year(1950, 1964), family)
            if rng.random() < 0.8:
                wife = wife_of(head.birth_year, family).birth_year
            else:
                wife = head.birth_year + 2
            son = add("child", "male", wife + rng.randint(22, 30), family, prefer_absent=True)
            if rng.random() < 0.5:
                add("child_in_law", "female", son.birth_year + rng.randint(0, 4),
                    self.surname(exclude=family), prefer_absent=True)
            grandchildren = children(son.birth_year, rng.choice([1, 2, 2]), "grandchild", family, lo=22, hi=28)
            if not grandchildren:
                add("grandchild", rng.choice(["male", "female"]), 2016, family)
        elif template == "single_adult":
            gender = "male" if rng.random() < 0.8 else "female"
            add("head", gender, year(1960, 1992), family if gender == "male" else self.surname(exclude=family))
        elif template == "siblings":
            head = add("head", "male", year(1955, 1975), family)
            add("sibling", rng.choice(["male", "female"]), head.birth_year + rng.choice([-5, -3, -2, 2, 3, 6]),
                family)
        elif template == "widow_family":
            head = add("head", "female", year(1958, 1978), self.surname(exclude=family))
            children(head.birth_year, rng.choice([1, 2, 2]), "child", family, prefer_absent_adults=True)
        else:
            raise ValueError(f"unknown template {template}")
        # List members in the order a household register (户口簿) would: head first, then by relation.
        return sorted(people, key=lambda p: RELATION_ORDER.index(p.relation))

    # ---- village-level choices ---------------------------------------------------------------

    def weighted_pick(self, candidates: list[Person], weights: list[float], count: int) -> list[Person]:
        pool = list(candidates)
        w = list(weights)
        picked = []
        while pool and len(picked) < count:
            i = self.rng.choices(range(len(pool)), w)[0]
            picked.append(pool.pop(i))
            w.pop(i)
        return picked

    def mobile(self) -> str:
        while True:
            number = "100" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def village(self, plan: VillagePlan) -> dict:
        rng = self.rng
        # Spread the households over the groups: equal shares, remainder to the first groups.
        base, extra = divmod(plan.households, plan.groups)
        per_group = [base + (1 if g < extra else 0) for g in range(plan.groups)]
        non_villager_slots = set(rng.sample(range(plan.households), NON_VILLAGER_HOUSEHOLDS_PER_VILLAGE))

        groups = []
        everyone: list[Person] = []
        slot = 0
        for g in range(1, plan.groups + 1):
            group_name = f"{CHINESE_NUMERALS[g - 1]}{plan.group_word}"
            households = []
            house_no = 0
            for _ in range(per_group[g - 1]):
                house_no += 1 if house_no == 0 else rng.choice([1, 1, 2, 2, 3, 4])
                code = f"{plan.code}-{g:02d}-{house_no:03d}"
                fixed = FIXED_BY_HOUSEHOLD.get(code)
                non_villager = slot in non_villager_slots and fixed is None
                slot += 1
                if fixed is not None:
                    template, head_year = fixed.template, fixed.head_birth_year
                elif non_villager:
                    template, head_year = rng.choice(NON_VILLAGER_TEMPLATES), None
                else:
                    template = rng.choices([t for t, _ in TEMPLATE_WEIGHTS], [w for _, w in TEMPLATE_WEIGHTS])[0]
                    head_year = None
                family = self.surname() if non_villager else self.clan_surname(plan.clans[g - 1])
                members = self.household(template, family, head_year)
                for n, person in enumerate(members, start=1):
                    person.member_id = f"{code}-{n}"
                    if non_villager:
                        person.kind = "non_villager"
                        person.prefer_absent = False
                if fixed is not None:
                    holder = next(p for p in members if p.relation == fixed.relation)
                    holder.fixed = fixed
                    holder.party = fixed.party_member
                everyone.extend(members)
                households.append({
                    "code": code,
                    "address": f"{plan.name}{group_name} {house_no} 号",
                    "members": members,
                })
            groups.append({
                "code": f"{plan.code}-{g:02d}",
                "name": group_name,
                "deptId": plan.dept * 10 + g,
                "households": households,
            })

        # Long-term absent migrant workers: working-age villagers, mostly the middle generation.
        candidates = [p for p in everyone if p.kind == "villager" and p.fixed is None
                      and MIGRANT_MIN_AGE <= p.age <= MIGRANT_MAX_AGE]
        weights = [(5.0 if p.prefer_absent else 1.0) * (2.0 if 20 <= p.age <= 45 else 1.0) for p in candidates]
        absent = self.weighted_pick(candidates, weights, round(TARGET_ABSENT * len(everyone)))
        for p in absent:
            p.absent = True
        for p in rng.sample(absent, round(len(absent) / 3)):
            p.opted_in = True

        # Party members: adults from 25, more often older men; the village cadres are members.
        already = sum(1 for p in everyone if p.party)
        candidates = [p for p in everyone if p.fixed is None and p.age >= 25 and p.kind == "villager"]
        weights = [(3.0 if p.gender == "male" else 1.0) * (2.0 if p.age >= 50 else 1.0) for p in candidates]
        for p in self.weighted_pick(candidates, weights, round(TARGET_PARTY * len(everyone)) - already):
            p.party = True

        # Mobiles and DingTalk accounts: adults under 70 mostly have a phone; most of them joined the
        # village DingTalk organisation. Children and the elderly have neither.
        for p in everyone:
            if p.fixed is not None:
                p.mobile, p.user_id = self.mobile(), p.fixed.user_id
            elif ADULT_AGE <= p.age < ELDERLY_AGE and (p.absent or rng.random() < 0.93):
                p.mobile = self.mobile()
                joined = 0.6 if p.absent and not p.opted_in else 0.85
                p.user_id = f"u-{p.member_id}" if rng.random() < joined else None

        for group in groups:
            for household in group["households"]:
                household["members"] = [member_json(p) for p in household["members"]]
        return {"code": plan.code, "name": plan.name, "deptId": plan.dept, "groups": groups}, everyone


def member_json(p: Person) -> dict:
    return {
        "id": p.member_id,
        "name": p.name,
        "relation": p.relation,
        "gender": p.gender,
        "birthYear": p.birth_year,
        "kind": p.kind,
        "absent": p.absent,
        "optedIn": p.opted_in,
        "partyMember": p.party,
        "mobile": p.mobile,
        "dingtalkUserId": p.user_id,
    }


def generate() -> dict:
    gen = Generator(SEED)
    towns = []
    fixed_people: dict[str, Person] = {}
    for plan in VILLAGES:
        village, people = gen.village(plan)
        fixed_people.update({p.fixed.user_id: p for p in people if p.fixed is not None})
        towns.append({"code": plan.town_code, "name": plan.town_name, "deptId": plan.town_dept,
                      "villages": [village]})

    staff = {}
    for account in FIXED_ACCOUNTS:
        if account.staff_role is None:
            continue
        person = fixed_people[account.user_id]
        staff[account.user_id] = {"dingtalkUserId": account.user_id, "name": person.name,
                                  "mobile": person.mobile, "role": account.staff_role,
                                  "scope": account.staff_scope, "memberId": person.member_id}
    for user_id, name, role, scope in OFFICERS:
        staff[user_id] = {"dingtalkUserId": user_id, "name": name, "mobile": gen.mobile(), "role": role,
                          "scope": scope, "memberId": None}
    return {"corpId": CORP_ID, "district": DISTRICT, "towns": towns, "staff": [staff[s] for s in STAFF_ORDER]}


# ---- validation -------------------------------------------------------------------------------


class Invalid(Exception):
    pass


def check(cond: bool, message: str) -> None:
    if not cond:
        raise Invalid(message)


def validate(org: dict) -> dict:
    """Check the organisation against the documented schema and conventions; return some counts."""
    check(list(org) == ["corpId", "district", "towns", "staff"], f"top-level keys {list(org)}")
    check(org["corpId"] == CORP_ID, "corpId")
    check(org["district"] == DISTRICT, "district")
    mobile_re = re.compile(r"^100\d{8}$")
    dept_ids = [org["district"]["deptId"]]
    member_ids: set[str] = set()
    household_codes: set[str] = set()
    mobiles: set[str] = set()
    user_ids: dict[str, dict] = {}
    members_by_id: dict[str, dict] = {}
    village_of: dict[str, str] = {}
    totals = {"households": 0, "members": 0, "non_villager": 0, "absent": 0, "opted_in": 0, "party": 0,
              "mobile": 0, "dingtalk": 0}

    towns = org["towns"]
    check([t["code"] for t in towns] == [v.town_code for v in VILLAGES], "town codes")
    for town, plan in zip(towns, VILLAGES):
        check(list(town) == ["code", "name", "deptId", "villages"], f"town keys {list(town)}")
        check(town["name"] == plan.town_name and town["deptId"] == plan.town_dept, f"town {town['code']}")
        dept_ids.append(town["deptId"])
        check(len(town["villages"]) == 1, f"{town['code']} has one pilot village")
        village = town["villages"][0]
        check(list(village) == ["code", "name", "deptId", "groups"], f"village keys {list(village)}")
        check((village["code"], village["name"], village["deptId"]) == (plan.code, plan.name, plan.dept),
              f"village {village['code']}")
        check(village["deptId"] == town["deptId"] + 1, f"village deptId {village['deptId']}")
        dept_ids.append(village["deptId"])
        check(4 <= len(village["groups"]) <= 6, f"{plan.code}: 4–6 groups")
        village_households = 0
        for g, group in enumerate(village["groups"], start=1):
            check(list(group) == ["code", "name", "deptId", "households"], f"group keys {list(group)}")
            check(group["code"] == f"{plan.code}-{g:02d}", f"group code {group['code']}")
            check(group["name"] == CHINESE_NUMERALS[g - 1] + plan.group_word, f"group name {group['name']}")
            check(group["deptId"] == village["deptId"] * 10 + g, f"group deptId {group['deptId']}")
            dept_ids.append(group["deptId"])
            for household in group["households"]:
                village_households += 1
                code = household["code"]
                check(list(household) == ["code", "address", "members"], f"household keys {code}")
                m = re.fullmatch(rf"{plan.code}-{g:02d}-(\d{{3}})", code)
                check(m is not None, f"household code {code}")
                check(code not in household_codes, f"duplicate household {code}")
                household_codes.add(code)
                check(household["address"] == f"{plan.name}{group['name']} {int(m.group(1))} 号",
                      f"address {household['address']}")
                members = household["members"]
                check(1 <= len(members) <= MAX_MEMBERS, f"{code}: 1–6 members")
                check(sum(1 for p in members if p["relation"] == "head") == 1, f"{code}: one head")
                check(members[0]["relation"] == "head", f"{code}: head first")
                check(sum(1 for p in members if p["relation"] == "spouse") <= 1, f"{code}: one spouse")
                check(len({p["kind"] for p in members}) == 1, f"{code}: one kind per household")
                check(len({p["name"] for p in members}) == len(members), f"{code}: names unique")
                head = members[0]
                for n, p in enumerate(members, start=1):
                    validate_member(p, f"{code}-{n}", mobile_re)
                    check(p["id"] not in member_ids, f"duplicate member {p['id']}")
                    member_ids.add(p["id"])
                    members_by_id[p["id"]] = p
                    village_of[p["id"]] = plan.code
                    if p["relation"] == "child":
                        check(p["birthYear"] >= head["birthYear"] + 17, f"{p['id']}: child too old")
                    if p["relation"] == "grandchild":
                        check(p["birthYear"] >= head["birthYear"] + 36, f"{p['id']}: grandchild too old")
                    if p["relation"] == "parent":
                        check(p["birthYear"] <= head["birthYear"] - 18, f"{p['id']}: parent too young")
                    if p["mobile"] is not None:
                        check(p["mobile"] not in mobiles, f"duplicate mobile {p['mobile']}")
                        mobiles.add(p["mobile"])
                        totals["mobile"] += 1
                    if p["dingtalkUserId"] is not None:
                        check(p["dingtalkUserId"] not in user_ids, f"duplicate user {p['dingtalkUserId']}")
                        user_ids[p["dingtalkUserId"]] = p
                        totals["dingtalk"] += 1
                    totals["members"] += 1
                    totals["non_villager"] += p["kind"] == "non_villager"
                    totals["absent"] += p["absent"]
                    totals["opted_in"] += p["optedIn"] is True
                    totals["party"] += p["partyMember"]
        check(48 <= village_households <= 52, f"{plan.code}: {village_households} households, want 48–52")
        totals["households"] += village_households

    check(len(dept_ids) == len(set(dept_ids)), "deptIds unique")
    n = totals["members"]
    ratio = {k: totals[k] / n for k in ("non_villager", "absent", "party")}
    check(0.03 <= ratio["non_villager"] <= 0.08, f"non-villager share {ratio['non_villager']:.3f}")
    check(0.10 <= ratio["absent"] <= 0.14, f"absent share {ratio['absent']:.3f}")
    check(0.06 <= ratio["party"] <= 0.10, f"party share {ratio['party']:.3f}")
    check(0.25 <= totals["opted_in"] / totals["absent"] <= 0.45, "about a third of the absent opted in")

    # Staff and the fixed accounts.
    staff = org["staff"]
    check([s["dingtalkUserId"] for s in staff] == STAFF_ORDER, "staff ids and order")
    for s in staff:
        sid = s["dingtalkUserId"]
        check(list(s) == ["dingtalkUserId", "name", "mobile", "role", "scope", "memberId"], f"staff keys {sid}")
        check(s["role"] in ROLES, f"{sid}: role")
        check(isinstance(s["mobile"], str) and mobile_re.fullmatch(s["mobile"]) is not None, f"{sid}: mobile")
        if s["memberId"] is None:
            check(sid not in user_ids, f"{sid}: a non-member staff id is also a member's")
            check(s["mobile"] not in mobiles, f"{sid}: mobile used twice")
            mobiles.add(s["mobile"])
        else:
            member = members_by_id.get(s["memberId"])
            check(member is not None, f"{sid}: memberId {s['memberId']} unknown")
            check(member["dingtalkUserId"] == sid, f"{sid}: member's dingtalkUserId differs")
            check((member["name"], member["mobile"]) == (s["name"], s["mobile"]), f"{sid}: name/mobile")
            check(member["kind"] == "villager" and not member["absent"], f"{sid}: resident villager")
            check(village_of[member["id"]] == s["scope"], f"{sid}: lives in the village it serves")
    roles = {s["dingtalkUserId"]: (s["role"], s["scope"]) for s in staff}
    check(roles["demo-admin"] == ("village_admin", "heping"), "demo-admin")
    check(roles["demo-committee"] == ("village_committee", "heping"), "demo-committee")
    check(roles["demo-town"] == ("town_officer", "tangxiang"), "demo-town")
    check(roles["demo-district"] == ("district_officer", "dazu"), "demo-district")
    for v in ("cihang", "changhong", "xuguang"):
        check(roles[f"admin-{v}"] == ("village_admin", v), f"admin-{v}")
    staff_members = {s["memberId"] for s in staff if s["memberId"]}
    admin_households = {m.rsplit("-", 1)[0] for m in staff_members}
    check(len(admin_households) == len(staff_members), "staff members live in different households")
    villager = user_ids.get("demo-villager")
    check(villager is not None, "demo-villager missing")
    check(villager["id"].startswith("heping-"), "demo-villager lives in 和平村")
    check(villager["id"].rsplit("-", 1)[0] not in admin_households, "demo-villager is not in a staff household")
    check(villager["kind"] == "villager" and not villager["absent"] and villager["mobile"] is not None,
          "demo-villager is a participating resident with a mobile")
    check(30 <= REFERENCE_YEAR - villager["birthYear"] <= 60, "demo-villager is middle-aged")
    totals["staff"] = len(staff)
    return totals


def validate_member(p: dict, expected_id: str, mobile_re: re.Pattern[str]) -> None:
    check(list(p) == ["id", "name", "relation", "gender", "birthYear", "kind", "absent", "optedIn",
                      "partyMember", "mobile", "dingtalkUserId"], f"member keys {list(p)}")
    mid = p["id"]
    check(mid == expected_id, f"member id {mid}, want {expected_id}")
    check(2 <= len(p["name"]) <= 3, f"{mid}: name {p['name']}")
    check(p["relation"] in RELATIONS, f"{mid}: relation")
    check(p["gender"] in ("male", "female"), f"{mid}: gender")
    check(isinstance(p["birthYear"], int) and 1925 <= p["birthYear"] <= LAST_BIRTH_YEAR, f"{mid}: birthYear")
    check(p["kind"] in ("villager", "non_villager"), f"{mid}: kind")
    check(isinstance(p["absent"], bool) and isinstance(p["partyMember"], bool), f"{mid}: booleans")
    check(p["optedIn"] in (True, None), f"{mid}: optedIn is true or null")
    check(p["optedIn"] is None or p["absent"], f"{mid}: only the absent opt in")
    check(not p["absent"] or p["kind"] == "villager", f"{mid}: absent non-villager")
    age = REFERENCE_YEAR - p["birthYear"]
    if p["mobile"] is not None:
        check(mobile_re.fullmatch(p["mobile"]) is not None, f"{mid}: mobile {p['mobile']}")
        check(ADULT_AGE <= age < ELDERLY_AGE, f"{mid}: children and the elderly have no mobile")
    uid = p["dingtalkUserId"]
    if uid is not None:
        check(p["mobile"] is not None, f"{mid}: DingTalk user without mobile")
        check(uid == f"u-{mid}" or uid in {f.user_id for f in FIXED_ACCOUNTS}, f"{mid}: dingtalkUserId {uid}")
    if p["partyMember"]:
        check(age >= 18, f"{mid}: party member under 18")


def render(org: dict) -> str:
    return json.dumps(org, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="validate the committed file and fail if regenerating would change it")
    args = parser.parse_args()
    text = render(generate())
    try:
        totals = validate(json.loads(text))
        if args.check:
            committed = OUTPUT.read_text(encoding="utf-8")
            validate(json.loads(committed))
            check(committed == text, f"{OUTPUT} is stale: run scripts/gen_demo_org.py")
    except Invalid as err:
        print(f"invalid demo organisation: {err}", file=sys.stderr)
        return 1
    if not args.check:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8")
    summary = ", ".join(f"{k} {v}" for k, v in totals.items())
    print(f"{'checked' if args.check else 'wrote'} {OUTPUT}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
