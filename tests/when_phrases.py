# ruff: noqa: E501 - a table of questions, one a line, as they were asked
"""The phrase table: questions, and the publication window each must be searched over.

One row a line: `as-of | question | since .. until`, and `| miss: why` for a row the reader is known to get
wrong (the test expects it to fail, so a fix shows). An empty as-of means DEFAULT_AS_OF (a Thursday); "—"
means no period: the question is searched over everything, preferring recent reports. A window ends the
day after the period it names (reports of an event come out that day and the next), never after the
as-of date. The rows marked in the section "from realtimeqa-dev" are questions (or their time phrases)
of ../shared/data/realtimeqa-dev/questions.jsonl, asked on their question date; the rest cover the list
of issue 11 and its traps.

`tests/test_when_table.py` holds the reader to every row; `bench/time_readers.py` scores the candidate
libraries on the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_AS_OF = "2020-06-18"  # a Thursday

TABLE = """
# exact days
 | What happened on March 3, 2020? | 2020-03-03 .. 2020-03-04
 | What did the mayor announce on March 3? | 2020-03-03 .. 2020-03-04
 | Who won the vote on 14 May? | 2020-05-14 .. 2020-05-15
 | What was decided on 14 May 2019? | 2019-05-14 .. 2019-05-15
 | What happened on the 3rd of March? | 2020-03-03 .. 2020-03-04
 | What was reported on 2020-03-03? | 2020-03-03 .. 2020-03-04
 | Which storm hit the coast on June 1? | 2020-06-01 .. 2020-06-02
 | What did the court rule on June 30? | 2019-06-30 .. 2019-07-01
 | What happened on Christmas Day 2019? | 2019-12-25 .. 2019-12-26
 | Who was arrested on Christmas Day? | 2019-12-25 .. 2019-12-26
 | What happened on New Year's Eve? | 2019-12-31 .. 2020-01-01
 | What happened on January 1, 2020? | 2020-01-01 .. 2020-01-02
 | What did the senator say on Feb. 12? | 2020-02-12 .. 2020-02-13
 | Which company went bankrupt on April 2nd 2020? | 2020-04-02 .. 2020-04-03

# named days of the week and parts of days
 | What did the president say on Monday? | 2020-06-15 .. 2020-06-16
 | Who resigned on Tuesday? | 2020-06-16 .. 2020-06-17
 | Which bill passed Wednesday? | 2020-06-17 .. 2020-06-18
 | What happened on Thursday? | 2020-06-18 .. 2020-06-18
 | Who won the race on Friday? | 2020-06-12 .. 2020-06-13
 | What happened last Friday? | 2020-06-12 .. 2020-06-13
 | Who died on Sunday? | 2020-06-14 .. 2020-06-15
 | Who won the cup final on Saturday? | 2020-06-13 .. 2020-06-15
2024-05-10 | How many diverted lorries did the prefecture count on Saturday? | 2024-05-04 .. 2024-05-06
 | What happened last night? | 2020-06-17 .. 2020-06-18
 | What happened yesterday in Paris? | 2020-06-17 .. 2020-06-18
 | What happened yesterday morning? | 2020-06-17 .. 2020-06-18
 | What did the minister say this morning? | 2020-06-18 .. 2020-06-18
 | What happened today? | 2020-06-18 .. 2020-06-18
 | What is in today's paper? | 2020-06-18 .. 2020-06-18
 | Which team lost on Monday night? | 2020-06-15 .. 2020-06-16
 | What happened the day before yesterday? | 2020-06-16 .. 2020-06-17
 | What happened three days ago? | 2020-06-15 .. 2020-06-16
2020-06-15 | Who won the match on Friday? | 2020-06-12 .. 2020-06-13
2020-06-15 | What happened yesterday? | 2020-06-14 .. 2020-06-15
2019-04-20 | What caught fire in Paris on Monday? | 2019-04-15 .. 2019-04-16
2019-04-20 | What happened yesterday? | 2019-04-19 .. 2019-04-20
2022-12-18 | What happened yesterday? | 2022-12-17 .. 2022-12-18

# calendar weeks and the days just past
 | What happened last week? | 2020-06-08 .. 2020-06-17
2019-04-20 | What caught fire in Paris last week? | 2019-04-08 .. 2019-04-19
2020-06-15 | What did the council decide last week? | 2020-06-08 .. 2020-06-15
2022-12-18 | Who won the runoff last week? | 2022-12-05 .. 2022-12-17
 | What happened the week of April 8? | 2020-04-06 .. 2020-04-13
2019-04-20 | What happened the week of April 8? | 2019-04-08 .. 2019-04-15
 | What happened a week ago? | 2020-06-08 .. 2020-06-15
 | What happened two weeks ago? | 2020-06-01 .. 2020-06-08
2019-04-20 | What did the police find two weeks ago? | 2019-04-03 .. 2019-04-10
 | What happened earlier this week? | 2020-06-15 .. 2020-06-18

# weekends
 | What happened over the weekend? | 2020-06-13 .. 2020-06-15
 | Who won last weekend? | 2020-06-13 .. 2020-06-15
 | Which protests took place this past weekend? | 2020-06-13 .. 2020-06-15
2020-06-15 | What happened over the weekend? | 2020-06-13 .. 2020-06-15
2020-06-15 | Who played this weekend? | 2020-06-13 .. 2020-06-15
2019-04-20 | What happened over the weekend? | 2019-04-13 .. 2019-04-20
2022-12-18 | What happened over the weekend? | 2022-12-17 .. 2022-12-18

# relative spans
 | What happened in the past week? | 2020-06-11 .. 2020-06-18
 | What happened this past week? | 2020-06-11 .. 2020-06-18
 | What happened in the past 10 days? | 2020-06-08 .. 2020-06-18
 | What was reported in the last three days? | 2020-06-15 .. 2020-06-18
 | What happened in the past two weeks? | 2020-06-04 .. 2020-06-18
 | Which companies cut jobs over the past month? | 2020-05-18 .. 2020-06-18
 | What happened in the last 24 hours? | 2020-06-17 .. 2020-06-18
 | How many people died in the past year? | 2019-06-18 .. 2020-06-18
 | What happened in the past few days? | 2020-06-11 .. 2020-06-18
 | What has the mayor done since Monday? | 2020-06-15 .. 2020-06-18
 | What has happened since Friday? | 2020-06-12 .. 2020-06-18
 | What changed since last week? | 2020-06-08 .. 2020-06-18
 | What has the governor done since January? | 2020-01-01 .. 2020-06-18
 | What has happened since March 1? | 2020-03-01 .. 2020-06-18
 | What changed since the election in May? | 2020-05-01 .. 2020-06-18
 | Who has led the party since 2018? | 2018-01-01 .. 2020-06-18
 | What happened two months ago? | 2020-04-01 .. 2020-05-01
2019-04-20 | What happened in the past week? | 2019-04-13 .. 2019-04-20
2019-04-20 | What has happened since Monday? | 2019-04-15 .. 2019-04-20

# months and parts of months
 | What did the mayor say in March 2020? | 2020-03-01 .. 2020-04-01
 | What was reported in March? | 2020-03-01 .. 2020-04-01
 | What was reported in November? | 2019-11-01 .. 2019-12-01
 | What happened in June? | 2020-06-01 .. 2020-06-18
 | What happened during April? | 2020-04-01 .. 2020-05-01
 | What happened in May of 2019? | 2019-05-01 .. 2019-06-01
 | What happened in Sept. 2019? | 2019-09-01 .. 2019-10-01
 | Which bank failed last March? | 2020-03-01 .. 2020-04-01
 | Any news from last month? | 2020-05-01 .. 2020-06-01
 | What happened this month? | 2020-06-01 .. 2020-06-18
 | What happened earlier this month? | 2020-06-01 .. 2020-06-18
2019-04-20 | Which museum reopened earlier this month? | 2019-04-01 .. 2019-04-20
 | What happened in early March? | 2020-03-01 .. 2020-03-16
 | What happened in late March? | 2020-03-16 .. 2020-04-01
 | What happened in mid-March? | 2020-03-10 .. 2020-03-26
 | What happened at the end of May? | 2020-05-16 .. 2020-06-01
 | What happened early last month? | 2020-05-01 .. 2020-05-16

# ranges
 | What happened between May and June 2020? | 2020-05-01 .. 2020-06-18
2022-06-16 | What happened between May and June 2020? | 2020-05-01 .. 2020-07-01
2022-06-16 | What happened from November 2019 to March? | 2019-11-01 .. 2020-04-01
 | What happened from 1 to 15 March? | 2020-03-01 .. 2020-03-16
 | What happened from March to May? | 2020-03-01 .. 2020-06-01
 | Which storms hit between 2017 and 2019? | 2017-01-01 .. 2020-01-01
 | What happened from January 2019 to March 2020? | 2019-01-01 .. 2020-04-01
 | What happened between March 3 and March 10? | 2020-03-03 .. 2020-03-11
 | What was reported before March 2020? | .. 2020-03-01
 | What happened after May 2020? | 2020-06-01 .. 2020-06-18

# years and parts of years
 | Which storms hit in 2019? | 2019-01-01 .. 2020-01-01
 | What happened during 2018? | 2018-01-01 .. 2019-01-01
 | What did the company do throughout 2019? | 2019-01-01 .. 2020-01-01
 | What happened in 2020? | 2020-01-01 .. 2020-06-18
 | What happened last year? | 2019-01-01 .. 2020-01-01
 | What has the council done this year? | 2020-01-01 .. 2020-06-18
 | What has the party done so far this year? | 2020-01-01 .. 2020-06-18
 | What happened earlier this year? | 2020-01-01 .. 2020-06-18
 | What happened in early 2019? | 2019-01-01 .. 2019-05-01
 | What happened in late 2019? | 2019-09-01 .. 2020-01-01
 | What happened at the end of 2019? | 2019-09-01 .. 2020-01-01
 | What happened late last year? | 2019-09-01 .. 2020-01-01
 | What happened in the first half of 2019? | 2019-01-01 .. 2019-07-01
 | What happened in the second half of 2019? | 2019-07-01 .. 2020-01-01
 | What happened in the 2010s? | 2010-01-01 .. 2020-01-01

# quarters
 | What did the bank report in Q3 2019? | 2019-07-01 .. 2019-10-01
 | What happened in Q1 2020? | 2020-01-01 .. 2020-04-01
 | What happened in the first quarter? | 2020-01-01 .. 2020-04-01
 | What happened in the third quarter of 2019? | 2019-07-01 .. 2019-10-01
 | What happened in the fourth quarter? | 2019-10-01 .. 2020-01-01

# seasons
 | What happened in the summer of 2019? | 2019-06-01 .. 2019-10-01
 | What happened last summer? | 2019-06-01 .. 2019-10-01
 | What happened this spring? | 2020-03-01 .. 2020-06-18
 | Which rivers flooded last winter? | 2019-12-01 .. 2020-04-01
 | What happened in the fall of 2019? | 2019-09-01 .. 2020-01-01
 | What happened in autumn 2019? | 2019-09-01 .. 2020-01-01

# outlets and programmes are not periods
 | What did USA Today report about the election? | —
 | What did USA TODAY say about gas prices? | —
 | What did The Week say about Brexit? | —
 | What did the Sunday Times reveal about the minister? | —
 | Who appeared on the Today show? | —
 | What did ABC's This Week discuss? | —
 | Who hosted Saturday Night Live? | —
 | What did the Mail on Sunday report? | —
 | Who won Monday Night Football? | —
 | What did USA Today report last week? | 2020-06-08 .. 2020-06-17
 | What did The Week report in March 2020? | 2020-03-01 .. 2020-04-01

# adjective years, events and numbers are not periods
 | Who won the 2019 Nobel Peace Prize? | —
 | Which show led the nominations for the 2019 Emmy Awards? | —
 | What did the 2020 Census find? | —
 | Who was Time's person of the year for 2019? | —
 | What do we know about the 9/11 memorial? | —
 | What did the G20 summit agree? | —
 | Which features does iOS 13 bring? | —
 | What did the Apollo 11 crew bring back? | —
 | Why was the Boeing 737 Max grounded? | —
 | Which attack killed just over 30 soldiers? | —
 | How many of the Fortune 500 companies are led by women? | —
 | What happened in the 12th century church? | —
 | Which drugs may be banned? | —
 | Where did the protesters march? | —
 | What did the Women's March demand? | —
 | Is the bridge still closed? | —
 | Why did the strike last 10 days? | —
 | Which leader stepped down after 20 years in power? | —
 | Are prices higher than they were a year ago? | —
 | What were the best Black Friday deals? | —
 | Which letter from 1943 was sold at auction? | —

# future plans are not periods of publication
 | Which two supermarkets plan to merge in 2024? | —
 | What will happen next week? | —
 | What is planned for later this year? | —
 | What is expected next month? | —
 | What will the Fed decide in July? | —
 | Who will win in November? | —
 | What happens tomorrow? | —
 | What is the target for 2030? | —
 | What is expected in the coming days? | —

# the present: a preference for recent reports, never a filter
 | Who won the vote this week? | —
 | What is the latest on the strike? | —
 | What has the governor said recently? | —
 | Who won the election? | —

# from realtimeqa-dev (question dates as the as-of)
2022-06-16 | Which wildly popular show was recently green lit for a new season? | —
2022-06-16 | A bipartisan group of senators announced an agreement on gun safety legislation this week, but a few major reforms were not included in the proposed deal. Which measure did lawmakers leave out? | —
2022-06-16 | Gas prices in the US recently hit a new record high. On average nationwide, how much does it cost for a gallon of regular gas? | —
2022-06-16 | According to the White House, how soon could Covid-19 vaccines be available for children as young as 6 months? | —
2022-06-23 | What country elected its first-ever leftist leader this week? | —
2022-07-01 | Which popular US tourist attraction announced public tours will resume a full operating schedule after being suspended for two years due to Covid-19? | —
2022-07-14 | Nearly two-and-a-half years since the Covid-19 pandemic began, the most infectious and transmissible variant yet has arrived. What is it called? | —
2022-07-14 | Which island nation plunged into chaos in recent days, prompting its leader to flee? | —
2022-07-14 | Which show received the most nominations for the 2022 Emmy Awards? | —
2022-07-14 | Dozens of people were unaccounted for early Thursday after severe flooding in which state? | 2022-07-14 .. 2022-07-14
2022-07-28 | A raging wildfire this week forced thousands of people to evacuate communities near which national park? | —
2022-07-28 | According to a new poll, what percentage of Americans feel that former President Donald Trump acted unethically in trying to hold on to his office after the 2020 election? | —
2022-08-04 | Baseball broadcasting legend Vin Scully died this week at the age of 94. Which team did he famously call games for during his long and remarkable career? | —
2022-08-04 | The sports world is in turmoil after NFL quarterback Deshaun Watson was suspended just six games for violating the NFL’s personal conduct policy in private meetings with massage therapists. Which team does Watson play for? | —
2022-08-12 | Approximately how many positive monkeypox cases are in the United States as of this week? | —
2022-08-18 | A processed cheese product is seeing a boost in popularity right now. Which product is it? | —
2022-08-25 | Apple is expected to unveil a new generation of which popular product early next month? | —
2022-08-25 | President Biden on Wednesday announced new student loan relief for millions of borrowers in the US. How much loan forgiveness will some eligible borrowers receive? | 2022-08-24 .. 2022-08-25
2022-08-25 | Rents in the US recently hit a record high for the 17th month in a row. Which of the following US cities saw the biggest increase compared to a year ago? | —
2022-09-02 | A Mickey Mantle baseball card from 1952 recently sold at auction for a jaw-dropping price, making it the most valuable sports collectible in the world. How much did the card sell for? | —
2022-09-02 | NASA was forced to reschedule its historic Artemis I launch on Monday due to a series of complications. Where is the mega rocket’s launchpad located? | 2022-08-29 .. 2022-08-30
2022-09-08 | Which new treat did McDonald’s add to its menu for the fall? | —
2022-09-15 | The 74th Emmy Awards were presented on Monday. Which show took home the award for outstanding drama series? | 2022-09-12 .. 2022-09-13
2022-09-15 | Rising inflation has driven food prices in the US far higher than they were a year ago. Which of the following grocery items has seen the biggest increase? | —
2022-09-15 | Apple on Monday released its next-generation mobile software, iOS 16. Which highly anticipated feature did the company introduce to its iPhones? | 2022-09-12 .. 2022-09-13
2022-09-22 | Approximately how many book titles have been banned in US schools over the last year? | 2021-09-22 .. 2022-09-22
2022-09-29 | Approximately how many customers in Florida were without power Thursday due to Hurricane Ian? | 2022-09-29 .. 2022-09-29
2022-09-29 | Which pop star will perform at next year’s Super Bowl LVII Halftime Show? | —
2022-10-06 | SpaceX and NASA launched a rocket into space Wednesday. What was its destination? | 2022-10-05 .. 2022-10-06
2022-10-20 | Which two major supermarkets plan to merge in 2024? | —
2022-10-20 | Approximately how many people have been arrested during the current protests in Iran? | —
2022-10-27 | Which late Supreme Court Justice will be featured on a new US postage stamp in 2023? | —
2022-11-03 | In addition to Halloween, which holiday was celebrated this week? | —
2022-11-03 | A no-hitter was thrown this week for just the second time in World Series history. Which two teams are competing in Major League Baseball’s championship? | —
2022-11-17 | Which high-profile Republican announced a 2024 White House bid this week? | —
2022-12-01 | Which word did Merriam-Webster select as its 2022 word of the year? | —
2022-12-10 | Dina Boluarte took office Wednesday to become the first female president of which country? | 2022-12-07 .. 2022-12-08
2022-12-10 | Who was named TIME magazine’s person of the year for 2022? | —
2022-12-18 | In recent weeks, at least seven states have said they will bar public employees from using which social media app on government devices? | —
2022-12-29 | According to price-tracker GasBuddy, how high are gas prices in the US expected to climb in 2023? | —
2023-08-18 | Ancient graves believed to have belonged to Knights Templar from the 12th century have been rediscovered in which English county? | —
2023-09-08 | India’s invitations for the G20 summit this weekend sparked rumours that the country might be preparing to change its name to what? | —
2024-06-21 | Which holiday is considered the “unofficial end of summer” in the US? | —
2025-03-13 | Elon Musk's X was hit with several waves of outages this week. What year did Musk acquire the social media platform, formerly known as Twitter? | —
2023-07-14 | The Dutch prime minister Mark Rutte unexpectedly announced he would be stepping down after how many years in power? | —
2022-09-15 | Which superstar athlete recently teased a potential return to competitive sports? | —
2022-10-13 | President Biden designated Camp Hale — a WWII-era training ground — as a new national monument this week. Where is it located? | —
2022-12-10 | Authorities in Hawaii are concerned that lava from the Mauna Loa volcano eruption could soon reach which type of infrastructure? | —
2022-07-28 | After a yearslong pandemic pause, the Biden administration is deciding whether to extend the student loan payment pause for millions of Americans. When are loan payments set to restart? | —
2023-03-03 | What is the name of Rishi Sunak’s new Brexit deal with the European Union? | —
2022-08-18 | In response to Russia’s dwindling population, President Vladimir Putin this week said he would reward women in the country with a large sum of money if they give birth to how many children? | —
2022-11-10 | US women’s basketball star Brittney Griner was transferred to a Russian penal colony this week. How many years is she due to serve for her drug smuggling sentence? | —
2022-09-08 | Legendary WNBA basketball player Sue Bird played her final game this week. Which team did she play for? | —
2022-08-12 | Supermarkets in France are struggling to stock which condiment, sparking outrage across the country. | —
2022-10-06 | An independent investigation released this week found systemic abuse and misconduct within which women’s professional sport in the US? | —

# held out: written after the rules above passed, and scored before any change to them
 | What did the mayor say on Tuesday night? | 2020-06-16 .. 2020-06-17
 | What happened last Thursday? | 2020-06-11 .. 2020-06-12
 | What did the Senate pass in the last week? | 2020-06-11 .. 2020-06-18
 | What happened in the past few weeks? | 2020-05-28 .. 2020-06-18
 | What happened since the start of the year? | 2020-01-01 .. 2020-06-18
 | What happened in mid-2019? | 2019-05-01 .. 2019-09-01
 | What happened over Thanksgiving? | 2019-11-28 .. 2019-11-29
 | What happened at Christmas? | 2019-12-25 .. 2019-12-26
 | What did Theresa May say about Brexit? | —
 | What did Brian May say? | —
 | Which films came out in the 1990s? | 1990-01-01 .. 2000-01-01
 | What did the paper report on 3/3/2020? | 2020-03-03 .. 2020-03-04
 | What happened in Jan 2020? | 2020-01-01 .. 2020-02-01
 | How many cases are there as of today? | —
 | What did CNN report yesterday? | 2020-06-17 .. 2020-06-18
 | What did The Week publish last month? | 2020-05-01 .. 2020-06-01
 | What happened at the start of June? | 2020-06-01 .. 2020-06-16
 | Who won the 2018 World Cup? | —
 | What did the 2019 report on climate say? | —
 | Which company reported profits for the second quarter? | —
 | What has changed since 2016? | 2016-01-01 .. 2020-06-18
 | What happened the week before last? | 2020-06-01 .. 2020-06-08 | miss: the recognizer reads only "the week", a title the rules leave out
 | What happened the year before last? | 2018-01-01 .. 2019-01-01 | miss: the recognizer reads only "the year", a title the rules leave out
 | What happened in the days after the election? | —
 | Who resigned this afternoon? | 2020-06-18 .. 2020-06-18
 | What happened on the 4th of July? | 2019-07-04 .. 2019-07-05
 | What did the president say in his speech on Sunday night? | 2020-06-14 .. 2020-06-15
 | Who died at the age of 94 on Friday? | 2020-06-12 .. 2020-06-13
 | What is the forecast for the weekend? | —
 | What will happen on Monday? | —
 | Which stocks fell 5 percent from a year earlier? | —
 | How did sales compare with last year? | —
 | Which team won the Super Bowl in February? | 2020-02-01 .. 2020-03-01
 | What did the Daily Mail report on Monday? | 2020-06-15 .. 2020-06-16
 | What happened in Paris on Monday? | 2020-06-15 .. 2020-06-16
 | What happened in Paris Monday? | 2020-06-15 .. 2020-06-16
 | Which bills did Congress pass during the first half of the year? | 2020-01-01 .. 2020-06-18 | miss: the recognizer reads only "the year", a title the rules leave out
 | What did the Times report in late June? | 2020-06-16 .. 2020-06-18
 | What was announced in the spring of 2019? | 2019-03-01 .. 2019-07-01
 | What did Good Morning America air? | —
 | What happened ten days ago? | 2020-06-08 .. 2020-06-09
 | What happened over the past 48 hours? | 2020-06-16 .. 2020-06-18
 | Who won on election night? | —
 | What happened on May 1? | 2020-05-01 .. 2020-05-02
 | What happened in May? | 2020-05-01 .. 2020-06-01
 | What will the weather be like in May? | —
 | What did analysts expect for 2021? | —
 | Which laws take effect in July? | — | miss: a plan said in the present tense is read as the last July
2019-04-20 | What happened on Friday? | 2019-04-19 .. 2019-04-20
2019-04-20 | What happened last weekend? | 2019-04-13 .. 2019-04-15
2019-04-20 | What happened this weekend? | 2019-04-13 .. 2019-04-20
2019-04-20 | What did the cathedral look like before the fire on Monday? | 2019-04-15 .. 2019-04-16
2022-06-16 | Broadway’s biggest stars were recognized this week at which prestigious awards show? | —
2022-06-23 | Which embattled celebrity was found liable in a sexual battery case this week? | —
2022-07-14 | NASA released astonishing images from space this week. What did the images show? | —
2022-07-21 | Which product remains difficult to find in many US stores due to a nationwide shortage? | —
2022-08-04 | Primary voters in which state struck down a proposed amendment to the state’s constitution that would have outlawed abortion? | —
2022-08-12 | The FBI executed a search warrant at former President Donald Trump’s Mar-a-Lago estate as part of an investigation into the handling of presidential documents. Where is Mar-a-Lago located? | —
2022-09-29 | Which currency recently plummeted to a record low against the US dollar? | —
2022-10-13 | Which professional golfer clinched the controversial LIV Golf championship and the $18 million prize? | —
2022-12-01 | What caused delays and headaches for millions of travelers across the US this week? | —
2023-07-07 | Talks between the UK, Spain and the EU over the status of Gibraltar have stalled over what? | —
2023-08-04 | Which country is set to become the 29th African nation to abolish the death penalty? | —
2022-09-15 | King Charles III became Britain’s new monarch following the death of his mother, Queen Elizabeth II. Who is next in the line of royal succession? | —
2022-08-18 | The White House said there will soon be a new type of Covid-19 vaccine specifically designed to protect against the Omicron BA.4 and BA.5 subvariants. When will it be available? | —
2022-10-27 | Corporate America is canceling Kanye West. Among the companies that cut ties with the rapper, which one cost him the most money — and his status as a billionaire? | —
2023-09-08 | Scientists believe they have found the answer to high levels of radioactivity in which wild European animal? | —
2022-12-29 | Speaking of migrants, approximately how many asylum applications are currently pending in the US immigration system? | —
2022-11-03 | Benzene, a cancer-causing chemical, was recently detected in several batches of which common household product? | —
2022-06-16 | What is the biggest security threat in the Asia-Pacific region, according to Fiji’s minister of defense? | —
2022-09-22 | More than a million people across Puerto Rico and the Dominican Republic were without power or running water this week due to which hurricane? | —
2022-12-10 | Democratic Sen. Raphael Warnock won Georgia’s Senate runoff this week, defeating Republican challenger Herschel Walker. Prior to leaping into politics, which sport did Herschel Walker play professionally? | —
2023-07-21 | Locals in a Berlin suburb were told to stay indoors with their pets after reports that what was on the loose? | —
2022-11-10 | For a brief period this week, which color did Twitter use as its new “official” check mark to verify government accounts, media, and major brands? | —
2023-05-26 | Which major US city is sinking under the weight of its skyscrapers? | —
2022-10-06 | The devastation wrought by Hurricane Ian likely caused how much in damages? | —

# found by comparing the new reader with the old on all realtimeqa-dev questions (after the held-out rows)
2022-08-12 | Which automaker is offering to buy back one of their electric SUV models from hundreds of vehicle owners after issuing a warning that its wheels could fall off? | —
 | Why did the stock fall? | —
 | What did the Arab Spring change? | —
 | What happened in spring 2019? | 2019-03-01 .. 2019-07-01
 | Which leaders met in the winter? | 2019-12-01 .. 2020-04-01
"""


@dataclass(frozen=True)
class Case:
    as_of: dt.date
    question: str
    since: dt.date | None  # None for no period (and for an open start)
    until: dt.date | None
    section: str
    miss: str = ""  # why the reader gets this row wrong, when it is known to

    @property
    def window(self) -> str:
        return f"{self.since or ''} .. {self.until or ''}" if (self.since or self.until) else "—"

    def __str__(self) -> str:
        return f"[{self.as_of}] {self.question}"


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text.strip()) if text.strip() else None


def cases() -> list[Case]:
    rows, section = [], ""
    for line in TABLE.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
            continue
        as_of, question, window, *miss = (part.strip() for part in line.split(" | "))
        since = until = None
        if window != "—":
            first, last = window.split("..")
            since, until = _day(first), _day(last)
        rows.append(Case(_day(as_of or DEFAULT_AS_OF), question, since, until, section,
                         miss[0].removeprefix("miss:").strip() if miss else ""))
    return rows
