"""Printed facts read straight from a report document (DOCX or text), in the shape of the hand transcriptions.

document      reads a .docx (paragraphs, tables with merged cells) or a text file into located blocks
tables        header rows, column kinds and the component of each row of a table (ranking: ranks by row order)
flat          tables that a PDF-to-text conversion flattened into lines of words and numbers
prose         the sentences' phrasings ("đạt 85,97 điểm", "xếp thứ 56/63", "giảm 7 hạng so với năm 2023")
subjects      the subject of a sentence resolved to an index, a unit and a component (or the total)
extractor     walks the blocks with the context (index, year, unit, section) and collects the facts
measure       recall and precision against the transcriptions in data/reports/<report>/scores.csv
transcription a document's facts as a transcription folder, which the audit (ingest/curation/audit) reads
registry      the only module that reads the rest of ingest (methodology registry, reference units), as a
              value built from the Settings
"""
