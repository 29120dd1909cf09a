"""Real postcodes for the demo council (postcode units only; every street, home and person
in the demo is invented). Source: ONS Postcode Directory (Open Government Licence; contains
Royal Mail and OS data, Crown copyright and database right). Postcodes are real so the
sector's validator can place each placement in a council area and measure distances.

The demo council reports as Bradford (E08000032, BD postcodes); out-of-area placements are
in its neighbours Calderdale, Kirklees and Leeds."""

from __future__ import annotations

COUNCIL_LA = "E08000032"
COUNCIL_LA_NAME = "Bradford"
NEIGHBOURS = {"E08000033": "Calderdale", "E08000034": "Kirklees", "E08000035": "Leeds"}

POSTCODES: dict[str, tuple[str, ...]] = {
    "E08000032": (
        "BD1 1QJ", "BD1 1UB", "BD1 1UR", "BD1 2QX", "BD1 3AX", "BD1 4AR", "BD1 4PS", "BD1 4XD", "BD1 5HT",
        "BD1 5XT", "BD1 5YP", "BD1 9GH", "BD1 9GJ", "BD1 9HT", "BD1 9LN", "BD1 9US", "BD10 0HG", "BD10 0JT",
        "BD10 0TX", "BD10 8LF", "BD10 8WU", "BD10 9EL", "BD10 9HY", "BD10 9RD", "BD10 9UG", "BD12 0NN",
        "BD12 8EB", "BD12 8JY", "BD12 8SB", "BD12 9HN", "BD13 1BA", "BD13 1HE", "BD13 1JA", "BD13 1LE",
        "BD13 1NB", "BD13 2DB", "BD13 2PQ", "BD13 2QU", "BD13 2SW", "BD13 3PZ", "BD13 3RQ", "BD13 5HF",
        "BD14 6DA", "BD14 6JR", "BD14 6NA", "BD14 6PA", "BD15 0AA", "BD15 0BJ", "BD15 0FP", "BD15 0LT",
        "BD15 7SF", "BD15 7XE", "BD15 7XZ", "BD15 7YF", "BD16 1DJ", "BD16 1GH", "BD16 1NH", "BD16 1TA",
        "BD16 1UR", "BD16 2BD", "BD16 2LT", "BD16 2NF", "BD16 2RR", "BD16 2ST", "BD16 3BY", "BD16 3HW",
        "BD16 3LN", "BD16 3NA", "BD16 4BG", "BD16 4HB", "BD16 4NQ", "BD16 4PG", "BD16 4YZ", "BD16 9BH",
        "BD16 9DW", "BD17 5BD", "BD17 5ES", "BD17 5PB", "BD17 5PE", "BD17 5PJ", "BD17 5RR", "BD17 5SE",
        "BD17 5YA", "BD17 6AP", "BD17 6DB", "BD17 7DY", "BD17 7NT", "BD18 1HG", "BD18 1PE", "BD18 2DX",
        "BD18 2HY", "BD18 2NE", "BD18 2WX", "BD18 3BS", "BD18 3DQ", "BD18 3FD", "BD18 3QF", "BD18 3YU",
        "BD18 4PJ", "BD18 4WY", "BD2 1BU", "BD2 1JG", "BD2 2LR", "BD2 3BE", "BD2 3DA", "BD2 3GH", "BD2 4BW",
        "BD2 4LH", "BD2 4LP", "BD2 4PR", "BD2 4YZ", "BD20 0EH", "BD20 0YB", "BD20 5HN", "BD20 5UQ",
        "BD20 6AZ", "BD20 6EA", "BD20 6EE", "BD20 6FJ", "BD20 6LS", "BD20 6NP", "BD20 6PQ", "BD20 6PU",
        "BD20 8BS", "BD20 9JP", "BD20 9PE", "BD21 1EJ", "BD21 1JZ", "BD21 1RN", "BD21 2LF", "BD21 2QH",
        "BD21 2YP", "BD21 3SL", "BD21 4AU", "BD21 4EZ", "BD21 4UN", "BD22 6LE", "BD22 6LP", "BD22 7BA",
        "BD22 7EN", "BD22 7FN", "BD22 7JT", "BD22 7LW", "BD22 7NE", "BD22 7RD", "BD22 7SD", "BD22 7SL",
        "BD22 8EZ", "BD22 8YT", "BD22 9HS", "BD22 9WS", "BD3 0EB", "BD3 0PZ", "BD3 0SH", "BD3 8PE", "BD3 8PJ",
        "BD3 9AH", "BD3 9BE", "BD3 9HG", "BD3 9TX", "BD4 0DQ", "BD4 6QW", "BD4 8DH", "BD4 8NW", "BD4 8SE",
        "BD4 9BU", "BD4 9PY", "BD4 9RP", "BD5 0BS", "BD5 0HT", "BD5 0PX", "BD5 0SB", "BD5 0TZ", "BD5 0WW",
        "BD5 5EE", "BD5 5HJ", "BD5 5JL", "BD5 7BD", "BD5 7JB", "BD5 7TZ", "BD5 8AD", "BD5 8AE", "BD5 8BR",
        "BD5 8ED", "BD5 8EP", "BD5 8QU", "BD5 9JP", "BD5 9WA", "BD6 1LE", "BD6 1LP", "BD6 2AD", "BD6 2HQ",
        "BD6 2JZ", "BD6 2QR", "BD6 3AT", "BD6 3DB", "BD6 3DS", "BD6 3JP", "BD6 3RS", "BD6 3XR", "BD7 1HJ",
        "BD7 1QB", "BD7 2AS", "BD7 2AU", "BD7 2JH", "BD7 2RA", "BD7 3AP", "BD7 3BQ", "BD7 3EG", "BD7 3LN",
        "BD7 3NS", "BD7 4NJ", "BD7 4NL", "BD8 0HL", "BD8 0LA", "BD8 7ER", "BD8 7SJ", "BD8 7TZ", "BD8 8BL",
        "BD8 8HD", "BD8 8JN", "BD8 8WX", "BD8 9HD", "BD8 9JJ", "BD8 9PW", "BD8 9RG", "BD8 9SL", "BD8 9TB",
        "BD8 9XY", "BD9 4AP", "BD9 4PL", "BD9 4XA", "BD9 4YA", "BD9 5HL", "BD9 5LY", "BD9 5NL", "BD9 6DR",
        "BD9 6FL", "BD9 6JX", "BD9 6NA",
    ),
    "E08000033": (
        "HX1 1ES", "HX1 2TW", "HX1 2YN", "HX1 3NT", "HX1 3TY", "HX1 4JP", "HX1 4LH", "HX1 4PL", "HX1 5DX",
        "HX1 5LY", "HX1 9AL", "HX1 9WJ", "HX1 9YN", "HX2 7LJ", "HX2 8HY", "HX2 9AE", "HX3 0EA", "HX3 0HR",
        "HX3 0QZ", "HX3 5DP", "HX3 5JN", "HX3 6BX", "HX3 6HN", "HX3 6RL", "HX3 7LY", "HX3 7NQ", "HX3 8NY",
        "HX3 8TA", "HX3 8YT", "HX3 9SZ", "HX4 0JE", "HX4 8PZ", "HX5 9PD", "HX6 2FL", "HX6 2TF", "HX6 2YX",
        "HX6 3RL", "HX6 4JL", "HX6 4WY", "HX7 8AA",
    ),
    "E08000034": (
        "HD1 1BH", "HD1 1ER", "HD1 1SN", "HD1 2HN", "HD1 3JG", "HD1 3LN", "HD1 3RE", "HD1 4AE", "HD1 4BD",
        "HD1 4WQ", "HD1 6BD", "HD1 9QR", "HD1 9SW", "HD2 1GL", "HD2 1UL", "HD2 1UY", "HD2 2HB", "HD2 2JJ",
        "HD3 4XY", "HD4 6WU", "HD4 7HH", "HD4 7YE", "HD5 8LT", "HD5 9TJ", "HD7 1WY", "HD7 2AD", "HD7 3UH",
        "HD7 4NN", "HD7 5RU", "HD7 5ZW", "HD7 6AY", "HD7 7AN", "HD7 9BE", "HD8 0LJ", "HD8 0RU", "HD8 1FJ",
        "HD8 8NP", "HD9 2AL", "HD9 2NX", "HD9 4YA",
    ),
    "E08000035": (
        "LS1 2ZY", "LS1 6DN", "LS1 6HA", "LS1 6NR", "LS10 1NZ", "LS10 2AW", "LS10 3AW", "LS10 4AJ",
        "LS11 7JB", "LS12 4DR", "LS12 5EH", "LS13 1RL", "LS13 2AZ", "LS13 4XR", "LS15 4HU", "LS16 0HF",
        "LS16 6DT", "LS16 9AL", "LS17 5LG", "LS17 7TP", "LS17 7XS", "LS17 8AQ", "LS17 8LH", "LS18 4DP",
        "LS19 6BD", "LS2 7AL", "LS2 8QA", "LS2 9LQ", "LS20 8ET", "LS21 1FL", "LS21 1PN", "LS21 1XH",
        "LS21 2DE", "LS21 9BQ", "LS22 4UG", "LS22 7QB", "LS23 6LS", "LS23 7BH", "LS25 2BG", "LS25 2PL",
        "LS25 2WX", "LS26 8BD", "LS26 8NE", "LS26 9EP", "LS28 7RW", "LS28 8LR", "LS29 6RR", "LS3 1JH",
        "LS6 2JB", "LS7 4AL", "LS8 1AQ", "LS8 2RS", "LS8 4JB", "LS8 4TH", "LS8 5HX", "LS8 5LE", "LS88 1AD",
        "LS9 6BP", "LS9 6EX", "LS99 2RD",
    ),
}
