"""The base of every domain type: immutable, and no field it does not declare."""
from pydantic import BaseModel, ConfigDict


class DomainModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
