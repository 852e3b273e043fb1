"""Other languages: sentences, chunks and extractive answers in Chinese, Japanese, Arabic and Hindi, with
Spanish and French to check that accents and their quotes still split as before or better.

The articles are short made-up news reports written for these tests. Each is kept with the list of its
sentences as a reader would cut them, written by hand, so that the splitter is checked against what the
sentences are, not against itself.

The packaged embedding model (all-MiniLM-L6-v2) is English-only: in these scripts it matches a question
to a sentence mostly by the characters and word pieces they share, and retrieval is weak. So the archive
of the answering tests holds only these six articles, and each question repeats words of the sentence
that answers it: what is tested is that an answer is a whole sentence of the right article with its
citation, not cross-lingual retrieval.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rag.archive import Archive
from rag.chunking import chunk
from rag.citations import split_answer
from rag.extractive import ExtractiveAnswerer
from rag.ingest import Ingestor
from rag.records import SUPPORTED, Article
from rag.retrieve import Retriever
from rag.settings import Settings
from rag.text import clean_text, sentence_spans, word_count
from rag.wiring import build_assistant

# language -> (headline, sentences); the article's text is its sentences joined as the script writes them
ARTICLES = {
    "zh": ("江城暴雨致地铁停运", [
        "本周二，江城遭遇今年最强降雨，全市二十个区县发布暴雨警报。",
        "受积水影响，地铁二号线和五号线全天停运。",
        "市交通局表示，停运期间将增开三十条临时公交线路。",
        "“我们正在全力抽排积水，预计周四恢复运营。”",  # the quote ends at its full stop; "he said" follows
        "交通局发言人说。",
        "气象部门提醒市民，未来两天仍有强降雨，请尽量减少外出！",
    ]),
    "ja": ("港町に新しい図書館が開館", [
        "北浜市で十日、新しい市立図書館が開館した。",
        "建物は古い倉庫を改装したもので、約十五万冊の本を所蔵する。",
        "「子どもたちが毎日通える場所にしたい。」と館長は語った。",  # a quote followed by と is not an end
        "開館初日には二千人以上が訪れ、入口に長い列ができた！",
        "市は来年、移動図書館のバスも導入する予定だ。",
    ]),
    "ar": ("افتتاح جسر جديد فوق النهر في مدينة الواحة", [
        "افتتحت بلدية مدينة الواحة يوم الأحد جسرا جديدا فوق النهر.",
        "ويبلغ طول الجسر نحو ثمانمئة متر، وقد استغرق بناؤه ثلاث سنوات.",
        "وقال رئيس البلدية د. سامر الخطيب إن الجسر سيختصر زمن الرحلة إلى وسط المدينة إلى النصف.",  # د. = Dr.
        "هل سيخفف الجسر الازدحام في ساعات الذروة؟",
        "يأمل السكان ذلك.",
        "وتخطط البلدية لتشغيل خط حافلات جديد عبر الجسر في الشهر المقبل.",
    ]),
    "hi": ("पहाड़ी गाँव में पहली बार बिजली पहुँची", [
        "उत्तर के एक पहाड़ी गाँव में सोमवार को पहली बार बिजली पहुँची।",
        "गाँव में लगभग तीन सौ परिवार रहते हैं।",
        "डॉ. मीना वर्मा ने कहा कि अब स्वास्थ्य केंद्र रात में भी खुला रह सकेगा।",  # डॉ. = Dr.
        "क्या बच्चे अब रात को पढ़ाई कर पाएँगे?",
        "गाँव के शिक्षक ने कहा कि अब यह संभव है।",
        "राज्य सरकार ने अगले साल बीस और गाँवों को जोड़ने का वादा किया है।",
    ]),
    "es": ("Inundaciones en el valle del río Sereno", [
        "El martes, las lluvias intensas inundaron tres pueblos del valle del río Sereno.",
        "Más de mil vecinos pasaron la noche en el polideportivo municipal.",
        "¿Cuándo podrán volver a sus casas?",
        "Según la alcaldesa, el agua bajará antes del viernes.",
        "Los bomberos rescataron a doce personas atrapadas en sus coches.",
    ]),
    "fr": ("Belcourt aura sa piste cyclable", [
        "Le conseil municipal de Belcourt a voté jeudi la création d'une piste cyclable de douze kilomètres.",
        "Les travaux commenceront au printemps et dureront environ huit mois.",
        "« Nous voulons que les enfants puissent aller à l'école à vélo », a déclaré la maire.",
        "Élus et habitants se sont félicités du projet.",
    ]),
}
NO_SPACES = {"zh", "ja"}  # these scripts write no space after a sentence


def article_text(language: str) -> str:
    _, sentences = ARTICLES[language]
    return ("" if language in NO_SPACES else " ").join(sentences)


# language -> (question, the sentence that answers it)
QUESTIONS = {
    "zh": ("江城地铁哪些线路停运了？", "受积水影响，地铁二号线和五号线全天停运。"),
    "ja": ("新しい図書館には何冊の本がありますか？", "建物は古い倉庫を改装したもので、約十五万冊の本を所蔵する。"),
    "ar": ("ما طول الجسر الجديد؟", "ويبلغ طول الجسر نحو ثمانمئة متر، وقد استغرق بناؤه ثلاث سنوات."),
    "hi": ("गाँव में कितने परिवार रहते हैं?", "गाँव में लगभग तीन सौ परिवार रहते हैं।"),
    "es": ("¿A cuántas personas rescataron los bomberos?", ARTICLES["es"][1][4]),
    "fr": ("Combien de kilomètres mesurera la piste cyclable de Belcourt ?", ARTICLES["fr"][1][0]),
}


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# -- sentences ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ARTICLES)
def test_each_articles_sentences_are_found(language):
    assert sentences_of(article_text(language)) == ARTICLES[language][1]


def test_spans_are_exact_offsets_across_paragraphs_and_scripts():
    text = clean_text("\n".join(article_text(language) for language in ARTICLES))
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [s for _, sentences in ARTICLES.values() for s in sentences]
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start and not text[end:start].strip()  # only spaces and paragraph breaks between


def test_full_width_stops_end_a_sentence_with_or_without_closing_brackets():
    text = "会议结束了！？他们离开了。「はい。」『終わり！』（完）次の話。"
    assert sentences_of(text) == ["会议结束了！？", "他们离开了。", "「はい。」", "『終わり！』", "（完）次の話。"]


def test_a_comma_after_a_closing_quote_continues_the_sentence():
    assert sentences_of("“好吗？”，他问。然后走了。") == ["“好吗？”，他问。", "然后走了。"]
    assert sentences_of("«لماذا؟»، قال الرجل. ثم غادر.") == ["«لماذا؟»، قال الرجل.", "ثم غادر."]


def test_a_latin_stop_before_chinese_or_japanese_text_ends_a_sentence():
    text = "The talks ended in Tokyo.東京では雨が降った。Then it stopped."
    assert sentences_of(text) == ["The talks ended in Tokyo.", "東京では雨が降った。", "Then it stopped."]


def test_the_double_danda_and_a_danda_without_a_space_end_a_sentence():
    assert sentences_of("यह पहला है।यह दूसरा है॥ यह तीसरा है।") == ["यह पहला है।", "यह दूसरा है॥", "यह तीसरा है।"]


def test_the_urdu_full_stop_ends_a_sentence():
    assert sentences_of("شہر میں بارش ہوئی۔ سڑکیں بند ہیں۔") == ["شہر میں بارش ہوئی۔", "سڑکیں بند ہیں۔"]


def test_english_still_does_not_split_before_lowercase_abbreviations_or_initials():
    text = "Approx. ten people came. The U.S. team won, e.g. in Paris. J. R. Ewing left. it ended."
    assert sentences_of(text) == ["Approx. ten people came.", "The U.S. team won, e.g. in Paris.",
                                  "J. R. Ewing left. it ended."]


def test_capitals_of_other_cased_scripts_start_a_sentence():
    assert sentences_of("Он ушёл. Москва спала. Łódź czekała.") == ["Он ушёл.", "Москва спала.", "Łódź czekała."]


# -- words and chunks --------------------------------------------------------------------------------

def test_words_are_counted_whole_in_devanagari_and_per_character_in_chinese_and_japanese():
    assert word_count("भारत की राजधानी में बारिश हुई।") == 6  # vowel signs do not cut a word
    assert word_count("东京下雨了。") == 5
    assert word_count("東京で雨が降った。") == 8
    assert word_count("The U.S. army, well-known.") == 6  # as before: \w runs


def long_chinese_article(sentences: int = 60) -> str:
    return "".join(f"第{i}天，江城的志愿者清理了{i + 2}条街道的积水，并向居民发放了饮用水。" for i in range(sentences))


def test_a_long_chinese_article_is_cut_into_several_chunks_of_whole_sentences():
    text = long_chinese_article()
    chunks = chunk("zh-long", "0123456789", text, words=200, overlap=1)
    assert len(chunks) >= 5
    starts = {s for s, _ in sentence_spans(text)}
    for piece in chunks:
        assert text[piece.start : piece.end] == piece.text
        assert word_count(piece.text) <= 200
        assert piece.start in starts and piece.text.endswith("。")
    for before, after in zip(chunks, chunks[1:], strict=False):
        last_sentence = sentences_of(before.text)[-1]
        assert after.text.startswith(last_sentence)  # one sentence of overlap
    assert all(word_count(c.text) > 150 for c in chunks[:-1])  # filled up to the size, not a sentence each
    assert chunks[0].start == 0 and chunks[-1].end == len(text)


def test_a_japanese_run_without_stops_is_cut_between_characters():
    text = "あ" * 450
    chunks = chunk("ja-run", "0123456789", text, words=200, overlap=0)
    assert [len(c.text) for c in chunks] == [200, 200, 50]
    assert "".join(c.text for c in chunks) == text


# -- extractive answers ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def archive(tmp_path_factory, real_embedder):
    settings = Settings().with_values({"home": tmp_path_factory.mktemp("languages")})
    archive = Archive(settings, embedder=real_embedder)
    items = [Article(id=f"news-{language}", title=title, text=article_text(language), source="Test Wire",
                     published=dt.date(2026, 5, 1)) for language, (title, _) in ARTICLES.items()]
    report = Ingestor(archive).run(items)
    assert report.errors == [] and report.new == len(ARTICLES)
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def assistant(archive):
    return build_assistant(Retriever(archive.catalog, archive.vectors, archive.embedder), archive.embedder,
                           backend="extractive")


@pytest.mark.parametrize("language", QUESTIONS)
def test_a_question_is_answered_with_whole_sentences_of_its_article_each_cited(language, assistant, archive):
    question, answering = QUESTIONS[language]
    answer = assistant.ask(question, as_of=dt.date(2026, 5, 2))
    said = [s.text for s in answer.sentences]
    assert answering in said, answer.text
    headline, sentences = ARTICLES[language]
    as_quoted = headline + {"zh": "。", "ja": "。", "hi": "।"}.get(language, ".")  # in its script's full stop
    assert set(said) <= {*sentences, as_quoted}, answer.text  # whole sentences or the headline, never a paragraph
    for sentence in answer.sentences:
        assert sentence.verdict == SUPPORTED and sentence.citations, sentence
        assert {answer.hits[n - 1].article.id for n in sentence.citations} == {f"news-{language}"}, sentence
    stored = archive.catalog.query("SELECT text FROM articles WHERE id = ?", (f"news-{language}",))[0][0]
    assert any(answering in c.quote for c in answer.citations), answer.citations
    for citation in answer.citations:
        assert citation.article_id == f"news-{language}" and citation.supported
        assert stored[citation.start : citation.end] == citation.quote


def test_a_models_answer_is_read_sentence_by_sentence_with_its_markers():
    pieces = split_answer("北京今天下了大雨[1]。交通受到严重影响[2]，市民很担心。गाँव में बिजली पहुँची [3]।")
    assert [(p.text, p.cited) for p in pieces] == [
        ("北京今天下了大雨。", (1,)), ("交通受到严重影响，市民很担心。", (2,)), ("गाँव में बिजली पहुँची।", (3,))]


def test_a_long_chinese_question_is_not_taken_for_a_follow_up():
    answerer = ExtractiveAnswerer(embedder=None)
    history = [("江城地铁哪些线路停运了？", "受积水影响，地铁二号线和五号线全天停运。 [1]")]
    long_question = "气象部门对未来两天的天气有什么提醒？"
    assert answerer.rewrite_query(history, long_question) == long_question
    assert answerer.rewrite_query(history, "那公交呢？") != "那公交呢？"  # a short one still gets the subject


def test_a_chinese_or_japanese_how_many_question_wants_a_number_written_in_characters():
    from rag.answer_types import expected, offers

    question = "新しい図書館には何冊の本がありますか？"
    assert expected(question) == "number" and expected("有多少人参加了？") == "number"
    assert expected("江城地铁哪些线路停运了？") is None  # "which lines": not a count
    assert offers("number", "建物は古い倉庫を改装したもので、約十五万冊の本を所蔵する。", question)
    assert offers("number", "开馆当天有三人受伤。", "有多少人受伤？")
    assert not offers("number", "市は来年、移動図書館のバスも導入する予定だ。", question)
    assert not offers("number", "统一管理，一起努力。", "有多少人受伤？")  # 一 inside words is no count
