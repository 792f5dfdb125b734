"""Named defaults and bounds of corpus preparation, each defined once and imported elsewhere.

This module imports nothing heavy, so :mod:`topics.config` can use it without loading pandas.
"""

from __future__ import annotations

import re

#: Shingle containment from which an article is a near-duplicate of a larger one.
ARTICLE_THRESHOLD = 0.8
#: Shingle containment from which a paragraph is a near-duplicate of a larger one.
PARAGRAPH_THRESHOLD = 0.9
#: Lines longer than this are cut at sentence ends into several paragraphs (with a warning).
MAX_PARAGRAPH_CHARS = 5000
#: The smallest ``max_paragraph_chars`` a user may set.
MIN_PARAGRAPH_CHARS = 200

#: CJK ideographs (extension A, unified, compatibility) as the body of a character class.
CJK_IDEOGRAPHS = "\u3400-\u9fff\uf900-\ufaff"
#: One CJK ideograph.
CJK_CHAR = re.compile(f"[{CJK_IDEOGRAPHS}]")
