-- Anonymised counts of contacts whose records the retention purge erased, so a year's
-- statistics stay complete after its chats are gone (codes and counts only, no text).
CREATE TABLE stats_archive (
    year INTEGER NOT NULL,
    channel TEXT NOT NULL,
    month INTEGER NOT NULL,
    region TEXT NOT NULL,
    age_band TEXT NOT NULL,
    gender TEXT NOT NULL,
    theme TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (year, channel, month, region, age_band, gender, theme)
);
