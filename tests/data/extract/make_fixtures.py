#!/usr/bin/python3
"""Regenerate the fixtures of tests/unit/test_extract.c (see README).

Plain Python 3 (zlib, zipfile) except encrypted.pdf, which needs qpdf.
Deterministic: running it again gives the same bytes, so the committed
files can be checked against it.
"""
import os
import shutil
import subprocess
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# ---- PDF ---------------------------------------------------------------------

def pdf(objs):
    """A PDF file from object bodies (object i+1 is objs[i]), with a correct xref."""
    buf = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(buf))
        buf += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(buf)
    buf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        buf += b"%010d 00000 n \n" % o
    buf += b"trailer\n<< /Size %d /Root 1 0 R /ID [<5a686d6169> <5a686d6169>] >>\n" % (len(objs) + 1)
    buf += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(buf)


def stream(data, extra=b""):
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def flate(data):
    return stream(zlib.compress(data, 9), b"/Filter /FlateDecode")


def utf16hex(s):
    return s.encode("utf-16-be").hex().upper().encode()


def sample_pdf():
    """Two pages of a résumé: English in Helvetica, Chinese in a Type0 font
    (Identity-H, CID = Unicode code point) with a ToUnicode CMap, the way
    most generated PDFs carry CJK text (no dependence on poppler-data)."""
    pages = [
        [("F1", "Resume of Zhang San"),
         ("F2", "个人简历：张三"),
         ("F1", "Email: zhang.san@example.com Phone: 138-0000-0000"),
         ("F2", "技能：C 语言、Linux、数据库"),
         ("F1", "Skills: C11, FastCGI, MariaDB")],
        [("F2", "工作经历"),
         ("F1", "Work Experience"),
         ("F2", "2019 至 2023 北京职麦科技有限公司 高级工程师"),
         ("F1", "Senior engineer at Beijing Zhimai Technology")],
    ]
    cjk = sorted({ord(c) for page in pages for f, s in page if f == "F2" for c in s})
    cmap_lines = []
    for i in range(0, len(cjk), 100):
        chunk = cjk[i:i + 100]
        cmap_lines.append(b"%d beginbfchar" % len(chunk))
        for c in chunk:
            cmap_lines.append(b"<%04X> <%04X>" % (c, c))
        cmap_lines.append(b"endbfchar")
    tounicode = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                 b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                 b"/CMapName /Zhimai-UCS def\n/CMapType 2 def\n"
                 b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
                 + b"\n".join(cmap_lines) +
                 b"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
    contents = []
    for page in pages:
        ops = [b"BT"]
        y = 760
        for font, s in page:
            ops.append(b"/%s 14 Tf 1 0 0 1 72 %d Tm" % (font.encode(), y))
            if font == "F1":
                ops.append(b"(" + s.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj")
            else:
                ops.append(b"<" + utf16hex(s) + b"> Tj")
            y -= 24
        ops.append(b"ET")
        contents.append(b"\n".join(ops) + b"\n")
    # 1 catalog, 2 pages, 3-4 page objects, 5-6 contents, 7 F1, 8 F2, 9 CIDFont, 10 ToUnicode
    res = b"/Resources << /Font << /F1 7 0 R /F2 8 0 R >> >>"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R " + res + b" >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R " + res + b" >>",
        flate(contents[0]),
        flate(contents[1]),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [9 0 R] /ToUnicode 10 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 11 0 R /DW 1000 /W [32 [250] 33 126 500] /CIDToGIDMap /Identity >>",
        flate(tounicode),
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] "
        b"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>",
    ]
    return pdf(objs)


def blank_pdf():
    """One page, no text: a scanned résumé looks like this to a text extractor."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        flate(b"0.9 g 72 72 451 698 re f\n"),
    ])


def bomb_stream(prefix, unit, gib):
    """prefix + gib GiB of unit, deflated twice: a few KB that poppler must
    inflate and scan in full."""
    c = zlib.compressobj(9)
    parts = [c.compress(prefix)]
    chunk = unit * (1 << 20)
    for _ in range(gib * 1024):
        parts.append(c.compress(chunk))
    parts.append(c.flush())
    once = b"".join(parts)
    return stream(zlib.compress(once, 9), b"/Filter [/FlateDecode /FlateDecode]")


def hostile_pdf(prefix, unit, gib):
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        bomb_stream(prefix, unit, gib),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


# ---- DOCX --------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>')


def docx(document_xml, extra=()):
    """A DOCX with fixed timestamps, so the bytes do not change between runs."""
    import io
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                           ("word/document.xml", document_xml)] + list(extra):
            zi = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return b.getvalue()


def sample_docx():
    body = (
        # a heading whose text is split over runs, as Word does after edits
        '<w:p><w:r><w:t>个人</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>简历</w:t></w:r>'
        '<w:r><w:t xml:space="preserve"> Resume of </w:t></w:r><w:r><w:t>Li Si</w:t></w:r></w:p>'
        # a tab between two fields
        '<w:p><w:r><w:t>姓名：李四</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>Name: Li Si</w:t></w:r></w:p>'
        # a line break inside one paragraph
        '<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t></w:r></w:p>'
        # an empty paragraph, then spaces to collapse
        '<w:p/>'
        '<w:p><w:r><w:t xml:space="preserve">Skills:    C,   Linux  </w:t></w:r></w:p>'
        # tracked deletion: not part of the text
        '<w:p><w:r><w:t>Kept</w:t></w:r><w:del w:id="1" w:author="x" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:delText>DELETED</w:delText></w:r></w:del></w:p>'
        # a text box: Word writes it twice (DrawingML choice, VML fallback)
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
        '<w:p><w:r><w:t>文本框 Text box</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框 Text box</w:t></w:r></w:p>'
        '</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>'
        # a table: each cell is a paragraph
        '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>2019–2023</w:t></w:r></w:p></w:tc>'
        '<w:tc><w:p><w:r><w:t>北京职麦科技有限公司 &amp; Co.</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
        '<w:p><w:r><w:t>工作经历：高级工程师</w:t></w:r></w:p>'
    )
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="%s" '
           'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           '<w:body>%s<w:sectPr/></w:body></w:document>' % (W, body))
    return docx(xml.encode())


def xxe_docx():
    """An external entity naming a local file: it must not be read."""
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<!DOCTYPE w:document [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
           '<w:document xmlns:w="%s"><w:body>'
           '<w:p><w:r><w:t>before &xxe; after</w:t></w:r></w:p>'
           '</w:body></w:document>' % W)
    return docx(xml.encode())


def laughs_docx():
    """Billion laughs: internal entities nested to expand to ~ 50 MB."""
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<!DOCTYPE w:document [\n'
           '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n'
           '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">\n'
           '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">\n'
           ']>\n'
           '<w:document xmlns:w="%s"><w:body>'
           '<w:p><w:r><w:t>laughs &e; end</w:t></w:r></w:p>'
           '</w:body></w:document>' % W)
    return docx(xml.encode())


def bomb_docx():
    """word/document.xml inflates to 64 MiB (over the 50 MiB cap) from ~64 KB."""
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>' % W)
    tail = '</w:t></w:r></w:p></w:body></w:document>'
    size = 64 << 20
    return docx(head.encode() + b" " * (size - len(head) - len(tail)) + tail.encode())


def lying_bomb_docx(real):
    """The same bomb, its central directory and local header claiming 1000
    bytes: the reader must not trust the declared size."""
    data = bytearray(real)
    name = b"word/document.xml"
    # local file header: signature PK\3\4, uncompressed size at offset 22
    i = data.find(b"PK\x03\x04" + b"\x14\x00")
    while i >= 0:
        n = int.from_bytes(data[i + 26:i + 28], "little")
        if data[i + 30:i + 30 + n] == name:
            data[i + 22:i + 26] = (1000).to_bytes(4, "little")
        i = data.find(b"PK\x03\x04", i + 4)
    # central directory header: signature PK\1\2, uncompressed size at offset 24
    i = data.find(b"PK\x01\x02")
    while i >= 0:
        n = int.from_bytes(data[i + 28:i + 30], "little")
        if data[i + 46:i + 46 + n] == name:
            data[i + 24:i + 28] = (1000).to_bytes(4, "little")
        i = data.find(b"PK\x01\x02", i + 4)
    return bytes(data)


def no_document_docx():
    import io
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        zi = zipfile.ZipInfo("[Content_Types].xml", date_time=(2024, 1, 1, 0, 0, 0))
        z.writestr(zi, CONTENT_TYPES)
    return b.getvalue()


# ---- text ----------------------------------------------------------------------

def sample_txt():
    # a BOM, CRLF line ends, runs of spaces and tabs, an ideographic space,
    # a stray control character and blank lines to squeeze
    return ("\ufeff个人简历\r\n\r\n\r\n\r\n姓名：王五   Name:\t\tWang Wu\r\n"
            "技能：\u3000Go、Rust\x07  \r\n   indented line\r\nend").encode()


def main():
    out("sample.pdf", sample_pdf())
    out("blank.pdf", blank_pdf())
    out("sample.docx", sample_docx())
    out("xxe.docx", xxe_docx())
    out("laughs.docx", laughs_docx())
    bomb = bomb_docx()
    out("bomb.docx", bomb)
    out("bomb_lying.docx", lying_bomb_docx(bomb))
    out("no_document.docx", no_document_docx())
    out("sample.txt", sample_txt())
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        sys.exit("qpdf not found: apt-get install qpdf (only for encrypted.pdf)")
    # AES-128 with a user password: poppler cannot open it without one
    # (AES-256 would salt its keys at random: the bytes would change each run)
    subprocess.run([qpdf, "--static-id", "--static-aes-iv", "--encrypt", "secret", "owner", "128",
                    "--use-aes=y", "--",
                    os.path.join(HERE, "sample.pdf"), os.path.join(HERE, "encrypted.pdf")], check=True)
    if os.environ.get("SKIP_HOSTILE"):  # they take ~15 s to generate
        return
    # 4 GiB of NUL bytes (PDF whitespace) in one content stream: poppler
    # inflates and lexes all of it, ~20 s of CPU for an 8 KB file
    out("spin.pdf", hostile_pdf(b"BT /F1 12 Tf 72 700 Td ", b"\0", 4))
    # a string that never closes: poppler's lexer keeps growing it in memory
    out("balloon.pdf", hostile_pdf(b"BT /F1 12 Tf 72 700 Td (", b"a", 2))


if __name__ == "__main__":
    main()
