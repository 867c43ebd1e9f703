"""The rule-based annotator: gazetteers learned from the training split plus pattern rules.

It is the pre-annotator before any model exists (`predict --rules`) and the first baseline, so it
is built to be good: every surface annotated in the training split becomes a phrase pattern when
it is annotated in most of its occurrences; organizations, clusters, people, quantities and
stages found by their heads (`شرکت`، `خوشه`, a first name, a number, `در حال`) are extended over
the words that training spans use; overlaps keep the longest span. Relations come from the
nearest compatible pair (`heuristic_relations`). Saved as a spaCy pipeline, so it loads like a model.
"""

from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..io.prodigy import Task
from ..pipeline.nearest_pair import relate_all
from ..pipeline.tokenizer import blank_nlp
from ..schema import ENTITY_LABELS

ORG_HEADS = {
    "شرکت", "سازمان", "وزارت", "بانک", "اداره", "اتاق", "دانشگاه", "صندوق", "بنیاد", "کمیته", "اتحادیه",
    "استانداری", "فرمانداری", "کارخانه", "پالایشگاه", "مجتمع", "خبرگزاری", "جهاد", "پارک", "شورای", "انجمن",
    "پژوهشکده", "معاونت", "ستاد", "مجلس", "بورس", "فرابورس", "شیلات", "پتروشیمی", "تعاونی", "گمرک",
}
NEWS_AGENCIES = {"ایرنا", "ایسنا", "ایلنا", "تسنیم", "شانا", "شاتا"}
ROLE_WORDS = {
    "مدیرعامل", "رئیس", "معاون", "مدیرکل", "مدیر", "وزیر", "استاندار", "فرماندار", "سرپرست", "دبیر", "نماینده",
    "عضو", "کارشناس", "مسئول", "دکتر", "مهندس", "گفت", "افزود", "اظهار", "تصریح", "خاطرنشان", "بیان",
}
NUMBER_WORDS = {
    "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده", "یازده", "دوازده", "سیزده", "چهارده",
    "پانزده", "شانزده", "هفده", "هجده", "نوزده", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود",
    "صد", "یکصد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد", "هزار", "میلیون",
    "میلیارد", "نیم",
}
NOT_UNITS = {"سال", "ماه", "روز", "ساعت", "دقیقه", "هفته", "سالگی", "امین", "مین", "ام"}
STATUS_PREFIXES = (("در", "حال"), ("در", "دست"), ("در", "مرحله"), ("در", "انتظار"))
STATUS_VERBS = {"شد", "شده", "شده‌اند", "رسید", "رسیده", "رسیده‌اند", "شدند"}
LIFECYCLE_WORDS = {
    "تشکیل", "راه‌اندازی", "تایید", "مستقل", "متوقف", "شناسایی", "تصویب", "تکمیل", "مصوب", "فعال", "تعطیل",
}
MAX_EXTENT = 12
MIN_SHARE = 0.5
# words that end a name: function words, copulas and verbs of saying, roles, time words
STOP_WORDS = {
    "در", "با", "از", "به", "برای", "که", "را", "تا", "این", "آن", "اين", "است", "هستند", "بود", "شد", "شده",
    "می‌شود", "نیز", "هم", "همچنین", "اما", "ولی", "یا", "بر", "روز", "سال", "امسال", "پارسال", "تاکنون",
    "گفت", "افزود", "اظهار", "تصریح", "خاطرنشان", "ادامه", "یادآور", "کرد", "کرده", "داشت", "دارد", "طی",
    "پس", "پیش", "بین", "میان", "روی", "زیر", "درباره", "وی", "او", "آنها", "آن‌ها", "هر", "همه", "چند",
    "شامل", "عضو", "حدود", "بیش", "کمتر", "بیشتر", "نخستین", "اولین", "دومین", "سومین", "بار", "سوی",
    "توسط", "طریق", "همراه", "جمله", "عنوان", "حالی", "جاری", "گذشته", "آینده", "قبل", "بعد", "اکنون",
    "امروز", "روزانه", "سالانه", "هم‌اکنون", "دیگر", "خود", "خبر", "قرار",
} | ROLE_WORDS
# cluster qualifiers that alone make a generic mention (`خوشه صنعتی`, `خوشه کسب و کار`)
GENERIC_CLUSTER_WORDS = {"صنعتی", "کسب", "و", "کار", "کسب‌وکار", "استان", "های", "ها", "جدید", "فعال", "مهم"}
SPEECH_VERBS = {"گفت", "افزود", "اظهار", "تصریح", "خاطرنشان", "یادآور", "ادامه", "توضیح", "اعلام"}
SURNAME_PARTS = {"زاده", "پور", "نژاد", "فر", "نیا", "راد", "مقدم", "نسب"}
COMMON_FIRST_NAMES = {
    "علی", "محمد", "حسین", "حسن", "رضا", "مهدی", "احمد", "محمود", "مصطفی", "مرتضی", "مجتبی", "جواد", "سعید",
    "حمید", "مجید", "امیر", "عباس", "اکبر", "اصغر", "جعفر", "کاظم", "ابراهیم", "اسماعیل", "یوسف", "یعقوب",
    "داود", "سلیمان", "موسی", "عیسی", "هادی", "ناصر", "منصور", "بهروز", "بهزاد", "بهمن", "فرهاد",
    "فرشید", "فریدون", "کامران", "کیوان", "پیمان", "رامین", "شهرام", "شاهین", "مسعود", "محسن", "وحید", "امید",
    "نادر", "نوید", "بابک", "سیاوش", "داریوش", "کوروش", "منوچهر", "هوشنگ", "غلامرضا", "غلامحسین", "غلامعلی",
    "علیرضا", "حمیدرضا", "محمدرضا", "محمدعلی", "محمدحسین", "محمدجواد", "محمدمهدی", "امیرحسین", "امیرعلی",
    "ابوالفضل", "ابوالقاسم", "عبدالله", "عبدالرضا", "عبدالحسین", "قاسم", "هاشم", "کریم", "رحیم", "رحمان",
    "مهران", "مهرداد", "فرزاد", "فرامرز", "خسرو", "سهراب", "رستم", "ایرج", "اردشیر", "جمشید", "جلال", "کمال",
    "جمال", "فاطمه", "زهرا", "مریم", "زینب", "معصومه", "لیلا", "سمیه", "سمیرا", "مینا", "نرگس", "الهام", "مهسا",
    "نسرین", "شیرین", "پروین", "سیمین", "طاهره", "اعظم", "اشرف", "منیژه", "فرزانه", "سارا", "نازنین", "ثریا",
    "آزاده", "شهلا", "ژیلا", "رویا", "مهناز", "نیلوفر", "زهره", "عاطفه", "فریبا", "مرضیه", "راضیه", "هاجر",
}


@lru_cache(maxsize=1)
def verb_forms() -> FrozenSet[str]:
    """hazm's conjugated verb forms: a name never runs into a verb or the noun of a light verb."""
    from hazm import Lemmatizer  # imported here: spaCy imports this module at every pipeline load

    return frozenset(Lemmatizer(joined_verb_parts=False).verbs)


def _is_number(text: str) -> bool:
    stripped = text.replace("٫", "").replace("٬", "").replace("/", "")
    return stripped.isdigit() or text in NUMBER_WORDS


class RuleModel:
    """What the rules learn from the training split: gazetteers and the words inside spans."""

    def __init__(self, data: Optional[Dict[str, Any]] = None) -> None:
        data = data or {}
        self.gazetteer: Dict[str, List[List[str]]] = data.get("gazetteer", {})
        self.inside: Dict[str, List[str]] = data.get("inside", {})
        self.first_names: List[str] = data.get("first_names", [])
        self.units: List[str] = data.get("units", [])

    def to_dict(self) -> Dict[str, Any]:
        return {
            "gazetteer": self.gazetteer,
            "inside": self.inside,
            "first_names": self.first_names,
            "units": self.units,
        }

    @classmethod
    def from_tasks(cls, tasks: Iterable[Task], min_share: float = MIN_SHARE) -> "RuleModel":
        tasks = list(tasks)
        annotated: Dict[Tuple[str, ...], Counter] = defaultdict(Counter)
        inside: Dict[str, Set[str]] = defaultdict(set)
        first_names: Counter = Counter()
        units: Counter = Counter()
        for task in tasks:
            words = [t["text"] for t in task["tokens"]]
            for span in task["spans"]:
                surface = tuple(words[span["token_start"] : span["token_end"] + 1])
                annotated[surface][span["label"]] += 1
                inside[span["label"]].update(surface[1:])
                if span["label"] == "PERSON" and len(surface) >= 2:
                    first_names[surface[0] if surface[0] != "سید" else surface[1]] += 1
                if span["label"] == "QUANTITY" and not _is_number(surface[-1]):
                    units[surface[-1]] += 1
        occurrences: Counter = Counter()
        for task in tasks:
            words = [t["text"] for t in task["tokens"]]
            for i in range(len(words)):
                for n in range(1, 9):
                    key = tuple(words[i : i + n])
                    if len(key) == n and key in annotated:
                        occurrences[key] += 1
        gazetteer: Dict[str, List[List[str]]] = defaultdict(list)
        for surface, labels in annotated.items():
            label, count = labels.most_common(1)[0]
            if count >= min_share * max(occurrences[surface], 1):
                gazetteer[label].append(list(surface))
        return cls(
            {
                "gazetteer": {k: sorted(v) for k, v in gazetteer.items()},
                "inside": {k: sorted(v) for k, v in inside.items()},
                "first_names": sorted(first_names),
                "units": sorted(u for u in units if u not in NOT_UNITS),
            }
        )


class RuleEntities:
    """A spaCy component: gazetteer matches plus pattern rules, longest span wins."""

    def __init__(self, nlp: Language, name: str = "persian_ie_rule_entities") -> None:
        self.nlp = nlp
        self.name = name
        self.rules = RuleModel()
        self._build()

    def _build(self) -> None:
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for label, surfaces in self.rules.gazetteer.items():
            docs = [Doc(self.nlp.vocab, words=surface) for surface in surfaces]
            if docs:
                self.matcher.add(label, docs)
        self.inside = {label: set(words) for label, words in self.rules.inside.items()}
        self.first_names = set(self.rules.first_names) | COMMON_FIRST_NAMES
        self.units = set(self.rules.units)

    def set_rules(self, rules: RuleModel) -> None:
        self.rules = rules
        self._build()

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in self.matcher(doc)]
        spans += self._org_spans(doc) + self._cluster_spans(doc) + self._person_spans(doc)
        spans += self._quantity_spans(doc) + self._status_spans(doc)
        spans = filter_spans([s for s in spans if s.label_ in ENTITY_LABELS])
        spans += self._surname_spans(doc, spans)
        doc.ents = filter_spans(spans)
        return doc

    def _extend(self, doc: Doc, start: int, label: str) -> int:
        """End of a name that starts at `start`: it runs over content words up to a stop word,
        punctuation or a number, and crosses `و` or `،` only into words seen inside `label` spans."""
        inside = self.inside.get(label, set())
        verbs = verb_forms()
        end = start + 1
        while end < len(doc) and end - start < MAX_EXTENT:
            token = doc[end]
            following_verb = end + 1 < len(doc) and doc[end + 1].text in verbs
            if token.text in verbs or (following_verb and token.text not in inside):
                break
            if token.text in {"و", "،"}:
                following = doc[end + 1].text if end + 1 < len(doc) else ""
                if token.text == "و" and doc[end - 1].text == "کسب" and following == "کار":
                    end += 2
                elif following in inside and following not in STOP_WORDS and label == "ORG":
                    end += 2
                else:
                    break
            elif token.is_alpha and token.text not in STOP_WORDS:
                end += 1
            else:
                break
        return end

    def _org_spans(self, doc: Doc) -> List[Span]:
        spans = []
        for token in doc:
            if token.text in NEWS_AGENCIES:
                spans.append(Span(doc, token.i, token.i + 1, label="ORG"))
            elif token.text in ORG_HEADS and token.i + 1 < len(doc):
                end = self._extend(doc, token.i, "ORG")
                if end > token.i + 1:
                    spans.append(Span(doc, token.i, end, label="ORG"))
        return spans

    def _cluster_spans(self, doc: Doc) -> List[Span]:
        spans = []
        for token in doc:
            if token.text != "خوشه":
                continue
            span = Span(doc, token.i, self._extend(doc, token.i, "CLUSTER"), label="CLUSTER")
            if not {t.text for t in span[1:]} <= GENERIC_CLUSTER_WORDS:
                spans.append(span)
        return spans

    def _person_spans(self, doc: Doc) -> List[Span]:
        """A first name and a surname; or a single name right before a verb of saying (`رستمی افزود`)."""
        spans = []
        for token in doc:
            start = token.i
            if token.text == "سید" and start + 1 < len(doc):
                token = doc[start + 1]
            if token.text in self.first_names and token.i + 1 < len(doc):
                surname = doc[token.i + 1]
                if surname.is_alpha and surname.text not in STOP_WORDS and surname.text not in ORG_HEADS:
                    end = token.i + 2
                    if end < len(doc) and doc[end].text in SURNAME_PARTS:
                        end += 1
                    spans.append(Span(doc, start, end, label="PERSON"))
            elif (
                token.text in SPEECH_VERBS
                and start > 0
                and doc[start - 1].is_alpha
                and doc[start - 1].text not in STOP_WORDS
                and (start == 1 or doc[start - 2].is_punct)
            ):
                spans.append(Span(doc, start - 1, start, label="PERSON"))
        return spans

    @staticmethod
    def _surname_spans(doc: Doc, spans: List[Span]) -> List[Span]:
        """A surname alone refers back to a person named earlier in the paragraph (`وحدت گفت`)."""
        surnames = {s[-1].text for s in spans if s.label_ == "PERSON" and len(s) >= 2}
        taken = {i for s in spans for i in range(s.start, s.end)}
        return [
            Span(doc, t.i, t.i + 1, label="PERSON") for t in doc if t.text in surnames and t.i not in taken
        ]

    def _quantity_spans(self, doc: Doc) -> List[Span]:
        spans = []
        i = 0
        while i < len(doc):
            if not _is_number(doc[i].text) or (i > 0 and doc[i - 1].text in NOT_UNITS):
                i += 1
                continue
            end = i + 1
            while end < len(doc):
                if _is_number(doc[end].text):
                    end += 1
                elif doc[end].text == "و" and end + 1 < len(doc) and _is_number(doc[end + 1].text):
                    end += 2
                else:
                    break
            if end < len(doc) and doc[end].text in self.units:
                spans.append(Span(doc, i, end + 1, label="QUANTITY"))
            i = end
        return spans

    def _status_spans(self, doc: Doc) -> List[Span]:
        spans = []
        words = [t.text for t in doc]
        for i in range(len(doc) - 2):
            if (words[i], words[i + 1]) in STATUS_PREFIXES and not doc[i + 2].is_punct:
                spans.append(Span(doc, i, i + 3, label="STATUS"))
        for i in range(len(doc) - 1):
            if words[i] in LIFECYCLE_WORDS and words[i + 1] in STATUS_VERBS:
                spans.append(Span(doc, i, i + 2, label="STATUS"))
        return spans

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "rules.json", self.rules.to_dict())

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "RuleEntities":
        self.set_rules(RuleModel(srsly.read_json(Path(path) / "rules.json")))
        return self


@Language.factory("persian_ie_rule_entities", assigns=["doc.ents"])
def make_rule_entities(nlp: Language, name: str) -> RuleEntities:
    return RuleEntities(nlp, name)


def build_rules_pipeline(train_tasks: Sequence[Task]) -> Language:
    """A pipeline: normalizing tokenizer -> rule entities -> nearest-pair relations."""
    nlp = blank_nlp()
    entities = nlp.add_pipe("persian_ie_rule_entities")
    entities.set_rules(RuleModel.from_tasks(train_tasks))
    nlp.add_pipe("persian_ie_nearest_relations")
    return nlp


class RulesAnnotator:
    """The rules pipeline as an evaluation Annotator."""

    name = "rules"

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def annotate(self, texts: Sequence[str]) -> List[Doc]:
        return list(self.nlp.pipe(texts))

    def relate(self, docs: Sequence[Doc]) -> List[Doc]:
        return relate_all(docs)
