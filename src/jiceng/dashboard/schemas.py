"""Shapes of the dashboard's charts in the JSON API (dashboard.charts describes them)."""

import datetime
from typing import Literal

from ninja import Field, Schema


class ChartSeriesOut(Schema):
    name: str
    type: Literal["bar", "line"] = Field(description="bar：柱；line：折线（比率）")
    unit: Literal["", "%"] = Field(description="%：百分比，一位小数")
    stack: str | None = Field(None, description="同名的系列堆叠在一起")
    values: list[int | float | None] = Field(
        description="与 categories 一一对应；null 表示无法计算"
    )


class ChartOut(Schema):
    key: str
    title: str
    type: Literal["bar", "pie", "map"] = Field(description="map：上海市各区地图")
    categories: list[str] = Field(description="分类（区域、月份、类别……），即数据表的行")
    links: list[str | None] = Field(
        description="点击每个分类时进入的页面（下级图表或筛选后的列表）"
    )
    series: list[ChartSeriesOut]
    note: str = ""
    ordered: bool = Field(description="分类是一个序列（月份），按顺序从左到右画")
    axis: str = Field(description="分类的名称（区域、月份……），即数据表第一列的表头")


class IndicatorOut(Schema):
    key: str
    label: str


class AreaRefOut(Schema):
    id: int
    name: str
    level: str


class FigureOut(Schema):
    key: str
    label: str
    value: int
    alert: bool = Field(description="需要处理的数字（非零时标红）")


class AreaChartsOut(Schema):
    indicator: ChartOut | None = Field(description="所选指标按下级区域：市级为地图，其下为柱状图")
    indicator_key: str
    indicators: list[IndicatorOut] = Field(description="可按下级区域显示的指标")
    charts: list[ChartOut]


class ScreenOut(AreaChartsOut):
    area: AreaRefOut
    figures: list[FigureOut]
    generated_at: datetime.datetime
