"""品类: the product line of an order (seed 002's forms show it; 空调, 挖掘机).

orders.category (written by orders.py, imported as 品类 / 产品类别 / 产品大类):
reports group by it (`--by category`) and keep one (`--category`), and the
forms' 品类 line shows it.
"""


def apply(db):
    db.execute("ALTER TABLE orders ADD COLUMN category TEXT")
