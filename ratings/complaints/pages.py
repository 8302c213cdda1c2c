"""A page of a list already in memory, in flask-sqlalchemy's Pagination shape (the pager
macro reads it): for lists filtered by what only Python computes, such as overdue deadlines."""

from flask_sqlalchemy.pagination import Pagination


class ListPage(Pagination):
    def __init__(self, rows: list, page: int, per_page: int):
        self._rows = rows
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self._rows[start : start + self.per_page]

    def _query_count(self) -> int:
        return len(self._rows)
