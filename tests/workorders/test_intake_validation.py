"""Bad input at intake: clear errors naming the field, nothing written."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.workorders import actions
from gongzhi.workorders.models import Attachment, Category, Request

from .conftest import png


def _file(tree, resident, **kw):
    args = {"by": resident, "category": Category.objects.get(code="utilities"), "description": "漏水",
            "place": tree["household"]}
    args.update(kw)
    return actions.file_request(**args)


@pytest.mark.parametrize(("kw", "field", "message"), [
    ({"category": None}, "category", "请选择诉求类别"),
    ({"description": "   "}, "description", "请描述遇到的问题"),
    ({"description": "漏" * 1001}, "description", "问题描述不能超过1000个字（当前1001个）"),
    ({"urgency": "whenever"}, "urgency", "紧急程度无效"),
    ({"place": None}, "place", "请选择位置"),
    ({"photos": [SimpleUploadedFile("a.jpg", b"not an image")]}, "photos", "“a.jpg”不是有效的图片（支持 JPG、PNG、WebP）"),
    ({"photos": [png(f"{i}.png") for i in range(6)]}, "photos", "最多上传5张照片"),
])
def test_bad_intake(tree, resident, managed, kw, field, message):
    with pytest.raises(ValidationError) as exc:
        _file(tree, resident, **kw)
    assert exc.value.message_dict[field] == [message]
    assert Request.objects.count() == 0 and Attachment.objects.count() == 0


def test_oversized_photo(tree, resident, managed):
    big = png()
    big.size = 6 * 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        _file(tree, resident, photos=[big])
    assert "超过5MB" in exc.value.message_dict["photos"][0]
    assert Request.objects.count() == 0


def test_a_gif_is_refused(tree, resident, managed):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "GIF")
    with pytest.raises(ValidationError) as exc:
        _file(tree, resident, photos=[SimpleUploadedFile("x.gif", buf.getvalue())])
    assert "格式不支持" in exc.value.message_dict["photos"][0]


def test_five_photos_are_fine(tree, resident, managed):
    req = _file(tree, resident, photos=[png(f"{i}.png") for i in range(5)])
    assert req.photos.count() == 5
