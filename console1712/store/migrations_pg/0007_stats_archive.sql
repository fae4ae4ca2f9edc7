-- Anonymised counts of contacts whose records the retention purge erased, so a year's
-- statistics stay complete after its chats are gone (codes and counts only, no text).
CREATE TABLE stats_archive (
    year BIGINT NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    month BIGINT NOT NULL,
    region TEXT COLLATE "C" NOT NULL,
    age_band TEXT COLLATE "C" NOT NULL,
    gender TEXT COLLATE "C" NOT NULL,
    theme TEXT COLLATE "C" NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (year, channel, month, region, age_band, gender, theme)
);
