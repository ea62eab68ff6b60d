"""What real news spinners swap in the commonest words of news prose, both ways.

Real content-farm copies (the real dev set, spinfix.eval.real_spun) show spinners that swap
function words, set phrases and the everyday nouns and verbs of news ("where" -> "the place",
"up to" -> "as much as", "said" -> "stated", "year" -> "12 months"), and make or undo
contractions. The tables are written for spinfix (original -> what a spinner puts in). The
training spinner's real mode (spinfix.train.real_spinner) spins with them; the restorer undoes
them (news_inverse: spun form -> the originals it may stand for).
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from spinfix.lexicon.morphology import analyse

# Swaps of news prose's commonest words and set phrases, written for spinfix from the behaviour
# of the autoblog spinners seen on news-scraping sites (word forms, lowercase; each a list of
# what the spinner may put in). The mined table adds what the real dev set's fit part shows.
NEWS_SWAPS: dict[str, list[str]] = {
    "said": ["stated", "mentioned", "said"],
    "says": ["says", "stated", "mentioned"],
    "told": ["instructed", "informed", "advised"],
    "reporters": ["reporters", "journalists", "newshounds"],
    "news conference": ["information convention", "news convention"],
    "news": ["information", "news"],
    "information": ["data", "info"],
    "people": ["folks", "individuals", "other people"],
    "year": ["12 months", "yr"],
    "years": ["years", "a long time"],
    "decades": ["a long time", "many years"],
    "percent": ["p.c.", "%"],
    "per cent": ["in step with cent", "p.c."],
    "where": ["the place", "the place"],
    "that": ["that", "which"],
    "which": ["which", "that"],
    "could": ["might", "may", "may just"],
    "would": ["would", "might"],
    "can": ["can", "may"],
    "will": ["will", "shall"],
    "should": ["must", "should"],
    "must": ["should", "must"],
    "up to": ["as much as", "up to"],
    "more than": ["greater than", "more than"],
    "less than": ["lower than", "not up to"],
    "at least": ["no less than", "at the least"],
    "so far": ["to date", "thus far", "up to now"],
    "took place": ["came about", "happened"],
    "take place": ["happen", "come about"],
    "such as": ["akin to", "corresponding to", "comparable to"],
    "similar to": ["very similar to", "much like", "just like"],
    "a lot": ["so much", "a lot"],
    "so much": ["a lot", "such a lot"],
    "hundreds": ["loads of", "a whole bunch", "masses"],
    "thousands": ["hundreds", "1000's", "1000's"],
    "overnight": ["in a single day", "overnight"],
    "multiple": ["a couple of", "a number of", "more than one"],
    "several": ["a number of", "a number of", "a number of"],
    "before": ["earlier than", "prior to"],
    "after": ["after", "following"],
    "around": ["round", "about", "around"],
    "immediately": ["in an instant", "right away", "instantly"],
    "however": ["then again", "on the other hand", "nonetheless"],
    "also": ["additionally", "also"],
    "because": ["as a result of", "on account of", "because"],
    "through": ["thru", "via", "by way of"],
    "among": ["amongst", "among"],
    "until": ["till", "until"],
    "while": ["whilst", "even as", "while"],
    "whether": ["whether or not", "whether"],
    "later": ["later", "in a while"],
    "again": ["once more", "again"],
    "never": ["by no means", "never"],
    "nearly": ["just about", "nearly"],
    "almost": ["nearly", "virtually"],
    "enough": ["sufficient", "sufficient"],
    "big": ["large", "huge", "giant"],
    "large": ["massive", "huge", "big"],
    "help": ["lend a hand", "assist", "help"],
    "show": ["display", "show"],
    "get": ["get", "obtain"],
    "make": ["make", "make"],
    "need": ["want", "need"],
    "want": ["need", "wish to"],
    "start": ["get started", "begin"],
    "started": ["began", "started"],
    "keep": ["stay", "keep"],
    "stop": ["prevent", "forestall"],
    "company": ["corporate", "firm", "corporation"],
    "government": ["executive", "govt", "authorities"],
    "officials": ["officers", "officers"],
    "police officers": ["law enforcement officials", "cops"],
    "police": ["police", "police"],
    "department": ["division", "department"],
    "city": ["metropolis", "town"],
    "home": ["house", "dwelling"],
    "homes": ["houses", "properties"],
    "house": ["home", "area"],
    "bill": ["invoice", "measure"],
    "legislation": ["law", "regulation", "laws"],
    "vote": ["vote", "ballot"],
    "fire": ["hearth", "fireplace"],
    "shooting": ["taking pictures", "capturing"],
    "shot": ["shot", "shot"],
    "killed": ["killed", "killed"],
    "dead": ["lifeless", "useless"],
    "health": ["well being", "health"],
    "health care": ["well being care", "healthcare"],
    "program": ["program", "programme"],
    "programs": ["techniques", "systems", "methods"],
    "email": ["e mail", "electronic mail"],
    "game": ["recreation", "sport"],
    "team": ["staff", "workforce", "crew"],
    "season": ["season", "season"],
    "coach": ["trainer", "coach"],
    "player": ["participant", "player"],
    "players": ["avid gamers", "gamers"],
    "fans": ["lovers", "enthusiasts", "followers"],
    "win": ["win", "win"],
    "shares": ["stocks", "shares"],
    "stocks": ["shares", "stocks"],
    "investors": ["buyers", "traders"],
    "prices": ["costs", "prices"],
    "rate": ["charge", "fee"],
    "rates": ["charges", "rates"],
    "data": ["knowledge", "information"],
    "study": ["find out about", "learn about", "examine"],
    "researchers": ["researchers", "researchers"],
    "found": ["discovered", "found"],
    "weather": ["climate", "weather"],
    "storm": ["hurricane", "typhoon", "storm"],
    "judge": ["pass judgement on", "decide", "judge"],
    "statement": ["observation", "commentary", "remark"],
    "interview": ["interview", "interview"],
    "critical condition": ["important situation", "essential situation"],
    "condition": ["situation", "situation"],
    "identified": ["known", "recognized", "identified"],
    "located": ["situated", "positioned"],
    "nearby": ["close by", "within reach", "close-by"],
    "near": ["close to", "near"],
    "outside": ["outdoor", "outdoors", "out of doors"],
    "inside": ["inside of", "within"],
    "party": ["birthday party", "celebration", "social gathering"],
    "group": ["workforce", "staff", "crew", "bunch"],
    "area": ["space", "house"],
    "security": ["safety", "security"],
    "final": ["ultimate", "ultimate"],
    "changes": ["adjustments", "changes"],
    "process": ["procedure", "method", "process"],
    "plan": ["plan", "plan"],
    "support": ["give a boost to", "strengthen", "make stronger"],
    "important": ["necessary", "vital", "essential"],
    "available": ["to be had", "available"],
    "including": ["together with", "together with"],
    "according to": ["in keeping with", "in line with", "in accordance with", "consistent with"],
    "during": ["all the way through", "throughout", "right through"],
    "early": ["early", "early"],
    "last year": ["remaining 12 months", "final yr", "closing yr", "ultimate yr"],
    "this year": ["this 12 months", "this yr"],
    "next year": ["subsequent 12 months", "next yr"],
    "earlier this year": ["previous this 12 months", "earlier this 12 months"],
    "last week": ["remaining week", "final week", "closing week"],
    "last month": ["remaining month", "final month", "closing month"],
}

# Contractions both ways: real spinners undo and make them, with a typographer's apostrophe.
CONTRACTIONS: dict[str, list[str]] = {
    "is not": ["isn't"], "are not": ["aren't"], "was not": ["wasn't"], "were not": ["weren't"],
    "do not": ["don't"], "does not": ["doesn't"], "did not": ["didn't"], "have not": ["haven't"],
    "has not": ["hasn't"], "had not": ["hadn't"], "will not": ["won't"], "would not": ["wouldn't"],
    "could not": ["couldn't"], "should not": ["shouldn't"], "cannot": ["can not"], "can't": ["can not"],
    "it is": ["it's"], "that is": ["that's"], "there is": ["there's"], "we are": ["we're"], "they are": ["they're"],
    "isn't": ["is not"], "aren't": ["are not"], "wasn't": ["was once no longer", "was not"], "don't": ["do not"],
    "doesn't": ["does not"], "didn't": ["did not"], "won't": ["will not"], "couldn't": ["may no longer", "could not"],
    "it's": ["it is"], "that's": ["that is"], "we're": ["we are"], "they're": ["they are"], "i'm": ["i am"],
}


@lru_cache(maxsize=1)
def news_inverse() -> dict[str, list[str]]:
    """Spun word or phrase -> the originals it may stand for, from both tables turned around
    (lowercase; a single word also under its lemma, as the restorer's candidates look it up)."""
    table: dict[str, list[str]] = defaultdict(list)
    for original, spun_forms in (*NEWS_SWAPS.items(), *CONTRACTIONS.items()):
        for spun in spun_forms:
            if spun == original:
                continue
            keys = [(spun, original)]
            if " " not in spun and " " not in original and "'" not in spun + original:
                keys.append((_lemma(spun), _lemma(original)))
            for key, value in keys:
                if value not in table[key]:
                    table[key].append(value)
    return dict(table)


def _lemma(word: str) -> str:
    readings = analyse(word)
    return readings[0][0] if readings else word
