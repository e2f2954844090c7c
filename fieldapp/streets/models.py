from __future__ import annotations

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base


class Neighbourhood(Base):
    __tablename__ = "neighbourhoods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    streets: Mapped[list["Street"]] = relationship(back_populates="neighbourhood", order_by="Street.name")


class Street(Base):
    __tablename__ = "streets"
    __table_args__ = (UniqueConstraint("neighbourhood_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Dwellings on the street: the register's count after an import, or entered by hand.
    households: Mapped[int] = mapped_column(Integer, default=0)
    centroid_lat: Mapped[float | None] = mapped_column(Float)
    centroid_lon: Mapped[float | None] = mapped_column(Float)
    # GeoJSON geometry (LineString or MultiLineString), when known; the map falls back to the centroid.
    geometry: Mapped[dict | None] = mapped_column(JSON)

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="streets")
    addresses: Mapped[list["Address"]] = relationship(back_populates="street")

    def __repr__(self) -> str:
        return f"<Street {self.id} {self.name}>"


class Address(Base):
    """One dwelling of the address register (BAG-style). No resident data lives here."""

    __tablename__ = "addresses"
    # addition is '' rather than NULL so the unique constraint also holds for plain numbers.
    __table_args__ = (UniqueConstraint("street_id", "number", "addition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    addition: Mapped[str] = mapped_column(String(10), default="")
    postcode: Mapped[str | None] = mapped_column(String(7))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    tenure: Mapped[str] = mapped_column(String(20))

    street: Mapped[Street] = relationship(back_populates="addresses")
