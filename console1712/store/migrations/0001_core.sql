-- Bookkeeping: named values (some sealed), e.g. the key check.
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT,
    sealed BLOB
);
