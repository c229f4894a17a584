// Package market is the diamond exchange shop of the market face (seed
// 004): the products admins make (catalog.ExchangeProducts), purchases of
// one unit paid in diamonds, the orders they write and the virtual
// products (avatar frames, backgrounds) users own and put on, one of each
// action at a time.
package market

import (
	"context"
	"crypto/rand"
	"database/sql"
	"math/big"
	"plaza/internal/cachesync"
	"strings"
	"sync/atomic"
	"time"

	"plaza/internal/catalog"
	"plaza/internal/errs"
	"plaza/internal/store"
	"plaza/internal/wallet"
)

// Statuses of an order and of a user product.
const (
	OrderExchanged = 1 // 已兑换
	OrderRefunded  = 2 // 已退款: refunded by an operator (Refund)

	Unused = 0 // 未使用
	Used   = 1 // 已使用
)

// Category is what a virtual product decorates, and how.
type Category struct {
	Name, Desc, Style string
	Action            string // catalog.ActionAvatar or catalog.ActionBackground
}

// Product is an exchange product.
type Product struct {
	ID        int64
	Name      string
	Content   string
	Image     string
	Diamond   int64 // its price in diamonds
	Type      int   // catalog.ProductPhysical or catalog.ProductVirtual
	Stock     *int64
	Bought    int64
	Category  *Category // a virtual product's; nil for a physical one
	CreatedAt time.Time
}

// Order is one purchase.
type Order struct {
	ID        int64
	Number    string // 26 digits
	UserID    int64
	Product   Product
	Diamond   int64 // what was paid
	Status    int
	CreatedAt time.Time
	// RefundedAt (zero until then) and RefundReason: a refunded order's.
	RefundedAt   time.Time
	RefundReason string
}

// UserProduct is a virtual product a user owns.
type UserProduct struct {
	ID        int64
	UserID    int64
	OrderID   int64
	Product   Product
	Status    int // Unused or Used
	CreatedAt time.Time
}

// Service is the market core.
type Service struct {
	db     *store.DB
	wallet *wallet.Service
	loc    *time.Location
	gen    atomic.Uint64 // bumped after every committed change of a product (Generation)
	sync   *cachesync.Sync
}

// Generation is a number that changes after every committed change of a
// product (a purchase's bought and stock, an admin's edit through the
// catalog, which the server wires to Changed), on any node sharing the
// service's Sync: what a cache of product pages compares to know it is
// exact. Read it before the read whose result is cached, and keep the
// result under that number. While a node may have missed a change, every
// call answers a new number.
func (s *Service) Generation() uint64 {
	if !s.sync.Usable() {
		return s.gen.Add(1)
	}
	return s.gen.Load()
}

// Changed is called on every node after a committed change of the
// products table (the catalog's watchers run on every node).
func (s *Service) Changed() { s.gen.Add(1) }

// WithSync carries the core's own changes of products (purchases,
// refunds) to every node sharing the database. Call it while wiring the
// server.
func (s *Service) WithSync(sync *cachesync.Sync) *Service {
	s.sync = sync
	sync.Register("market", cachesync.Whole(marketGen{s}))
	return s
}

// changed tells every node that products changed.
func (s *Service) changed() { s.sync.Changed(cachesync.Whole(marketGen{s}), "market", "") }

type marketGen struct{ s *Service }

func (m marketGen) DropAll() { m.s.Changed() }

// New returns the market service. loc is the zone of an order number's
// date.
func New(db *store.DB, w *wallet.Service, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{db: db, wallet: w, loc: loc}
}

const productCols = `p.id, p.name, p.content, p.image, p.diamond, p.product_type, p.stock, p.bought,
	p.category_name, p.category_desc, p.category_style, p.category_action, p.created_at`

// returningCols are productCols unqualified (SQLite's RETURNING names
// the table's columns only).
var returningCols = strings.ReplaceAll(productCols, "p.", "")

func scanProduct(p *Product) []any {
	p.Category = &Category{}
	return []any{&p.ID, &p.Name, &p.Content, &p.Image, &p.Diamond, &p.Type, &nullInt{&p.Stock}, &p.Bought,
		&p.Category.Name, &p.Category.Desc, &p.Category.Style, &p.Category.Action, (*store.Millis)(&p.CreatedAt)}
}

// settle drops the category of a product that has none.
func (p *Product) settle() {
	if p.Category != nil && p.Category.Action == "" {
		p.Category = nil
	}
}

// nullInt scans a nullable integer into a *int64 (nil for NULL).
type nullInt struct{ p **int64 }

func (n *nullInt) Scan(v any) error {
	var x sql.NullInt64
	if err := x.Scan(v); err != nil {
		return err
	}
	*n.p = nil
	if x.Valid {
		*n.p = &x.Int64
	}
	return nil
}

func productOf(r store.Scanner) (Product, error) {
	var p Product
	err := r.Scan(scanProduct(&p)...)
	p.settle()
	return p, err
}

// Filter picks products (and user products) by type; nil: any.
type Filter struct {
	Type   *int
	Name   string // products whose name contains it
	Status *int   // user products of this status
}

var errNoProduct = errs.E(errs.NotFound, "no such product")

// likePattern is a LIKE pattern that matches s anywhere (with \ as the
// escape).
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Products returns a page of products, newest first, and their total.
func (s *Service) Products(ctx context.Context, f Filter, offset, limit int) ([]Product, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Type != nil {
		where, args = append(where, "p.product_type = ?"), append(args, *f.Type)
	}
	if f.Name != "" {
		where, args = append(where, `p.name LIKE ? ESCAPE '\'`), append(args, likePattern(f.Name))
	}
	cond := strings.Join(where, " AND ")
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM exchange_products p WHERE "+cond, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count products")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+productCols+" FROM exchange_products p WHERE "+cond+
		" ORDER BY p.id DESC"+store.LimitOffset, append(args, limit, offset), productOf)
	return out, total, errs.Wrap(err, "list products")
}

// Product returns one product.
func (s *Service) Product(ctx context.Context, id int64) (Product, error) {
	p, err := productOf(s.db.QueryRow(ctx, "SELECT "+productCols+" FROM exchange_products p WHERE p.id = ?", id))
	if store.NoRows(err) {
		return Product{}, errNoProduct
	}
	return p, errs.Wrap(err, "read product")
}

// Purchase buys one unit of a product for a user, in a unit of its own.
func (s *Service) Purchase(ctx context.Context, userID, productID int64) (Order, error) {
	var o Order
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		o, err = s.Buy(ctx, tx, userID, productID)
		return err
	})
	return o, err
}

// Buy buys one unit of a product in the caller's unit: it takes the unit
// (bought + 1, and stock - 1 when the product has a stock, in one
// conditional UPDATE, so two buyers of the last unit are told apart by the
// row lock), debits the product's diamonds (wallet.Purchase), writes the
// order and, for a virtual product, the user's product (unused). Unknown
// product: NotFound; sold out: OutOfStock; too few diamonds:
// InsufficientFunds. On an error the caller rolls the unit back, and so
// nothing is written.
//
// The product's row, which every buyer of it locks, is taken first on
// purpose. Taken last (to hold its lock only through the commit), it was
// slower on PostgreSQL: on the bench, purchases fell from 570/s to 455/s
// and the product list, which reads that row, from 4,660/s to 1,430/s
// (docs/performance.md). The likely cause: the rows inserted before take
// the row's KEY SHARE lock for their foreign keys beside other buyers'
// doing the same, which PostgreSQL keeps as MultiXacts that every later
// reader of the row must look up.
func (s *Service) Buy(ctx context.Context, tx *store.Tx, userID, productID int64) (Order, error) {
	p, err := productOf(tx.QueryRow(ctx, `UPDATE exchange_products SET bought = bought + 1, stock = stock - 1
		WHERE id = ? AND (stock IS NULL OR stock > 0) RETURNING `+returningCols, productID))
	if store.NoRows(err) {
		n, err := store.Count(ctx, tx, "SELECT COUNT(*) FROM exchange_products WHERE id = ?", productID)
		if err != nil {
			return Order{}, errs.Wrap(err, "read product")
		}
		if n == 0 {
			return Order{}, errNoProduct
		}
		return Order{}, errs.E(errs.OutOfStock, "sold out")
	}
	if err != nil {
		return Order{}, errs.Wrap(err, "take a unit")
	}
	tx.AfterCommit(s.changed) // bought (and stock) changed
	now := tx.Now()
	o := Order{UserID: userID, Product: p, Diamond: p.Diamond, Status: OrderExchanged, CreatedAt: now}
	for try := 0; o.ID == 0; try++ {
		if try == 5 {
			return Order{}, errs.Wrap(errs.E(errs.Internal, "five order numbers taken in a row"), "write order")
		}
		o.Number = s.orderNumber(now)
		err := tx.QueryRow(ctx, `INSERT INTO exchange_orders (order_number, user_id, product_id, diamond, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_number) DO NOTHING RETURNING id`,
			o.Number, userID, p.ID, p.Diamond, OrderExchanged, now.UnixMilli()).Scan(&o.ID)
		if err != nil && !store.NoRows(err) {
			return Order{}, errs.Wrap(err, "write order")
		}
	}
	_, err = s.wallet.Purchase(ctx, tx, userID, wallet.Diamond, p.Diamond, wallet.Meta{
		Reason: "兑换" + p.Name, Ref: wallet.Ref{Kind: "exchange_order", ID: o.Number},
	})
	if err != nil {
		return Order{}, err
	}
	if p.Type == catalog.ProductVirtual {
		_, err := tx.Exec(ctx, `INSERT INTO user_products (user_id, product_id, order_id, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, userID, p.ID, o.ID, Unused, now.UnixMilli(), now.UnixMilli())
		if err != nil {
			return Order{}, errs.Wrap(err, "write user product")
		}
	}
	return o, nil
}

// orderNumber is 26 digits: the time to the second (yyyymmddHHMMSS, in
// the service's zone) and 12 random digits. The unique index refuses a
// repeat, and Buy draws again.
func (s *Service) orderNumber(t time.Time) string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000_000))
	if err != nil {
		panic(err)
	}
	d := n.String()
	return t.In(s.loc).Format("20060102150405") + strings.Repeat("0", 12-len(d)) + d
}

const orderCols = "o.id, o.order_number, o.user_id, o.diamond, o.status, o.created_at, o.refunded_at, o.refund_reason, " + productCols

func orderOf(r store.Scanner) (Order, error) {
	var o Order
	err := r.Scan(append([]any{&o.ID, &o.Number, &o.UserID, &o.Diamond, &o.Status, (*store.Millis)(&o.CreatedAt),
		(*store.Millis)(&o.RefundedAt), &o.RefundReason}, scanProduct(&o.Product)...)...)
	o.Product.settle()
	return o, err
}

// Orders returns a page of a user's orders, newest first, and their total.
func (s *Service) Orders(ctx context.Context, userID int64, offset, limit int) ([]Order, int, error) {
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM exchange_orders WHERE user_id = ?", userID)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count orders")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+orderCols+` FROM exchange_orders o
		JOIN exchange_products p ON p.id = o.product_id WHERE o.user_id = ? ORDER BY o.id DESC`+store.LimitOffset,
		[]any{userID, limit, offset}, orderOf)
	return out, total, errs.Wrap(err, "list orders")
}

// Order returns a user's order by its number; another user's, and what
// cannot be an order number (CheckOrderNumber), are NotFound.
func (s *Service) Order(ctx context.Context, userID int64, number string) (Order, error) {
	if CheckOrderNumber("order_number", number) != nil {
		return Order{}, errs.E(errs.NotFound, "no such order")
	}
	o, err := orderOf(s.db.QueryRow(ctx, "SELECT "+orderCols+` FROM exchange_orders o
		JOIN exchange_products p ON p.id = o.product_id WHERE o.order_number = ? AND o.user_id = ?`, number, userID))
	if store.NoRows(err) {
		return Order{}, errs.E(errs.NotFound, "no such order")
	}
	return o, errs.Wrap(err, "read order")
}

const userProductCols = "u.id, u.user_id, u.order_id, u.status, u.created_at, " + productCols

func userProductOf(r store.Scanner) (UserProduct, error) {
	var u UserProduct
	err := r.Scan(append([]any{&u.ID, &u.UserID, &u.OrderID, &u.Status, (*store.Millis)(&u.CreatedAt)}, scanProduct(&u.Product)...)...)
	u.Product.settle()
	return u, err
}

const userProductsFrom = " FROM user_products u JOIN exchange_products p ON p.id = u.product_id WHERE u.user_id = ?"

// UserProducts returns a page of a user's products (Filter.Type and
// Status), oldest first, and their total.
func (s *Service) UserProducts(ctx context.Context, userID int64, f Filter, offset, limit int) ([]UserProduct, int, error) {
	cond, args := "", []any{userID}
	if f.Type != nil {
		cond, args = cond+" AND p.product_type = ?", append(args, *f.Type)
	}
	if f.Status != nil {
		cond, args = cond+" AND u.status = ?", append(args, *f.Status)
	}
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*)"+userProductsFrom+cond, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count user products")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+userProductCols+userProductsFrom+cond+" ORDER BY u.id"+store.LimitOffset,
		append(args, limit, offset), userProductOf)
	return out, total, errs.Wrap(err, "list user products")
}

// Used returns the products a user has on (at most one of each action).
func (s *Service) Used(ctx context.Context, userID int64) ([]UserProduct, error) {
	out, err := store.Collect(ctx, s.db, "SELECT "+userProductCols+userProductsFrom+" AND u.status = ? ORDER BY u.id",
		[]any{userID, Used}, userProductOf)
	return out, errs.Wrap(err, "list used products")
}

var errNoUserProduct = errs.E(errs.NotFound, "no such user product")

// Use puts a user's product on and takes off every other product of the
// same action the user has on, in one unit under the user's row lock (so
// two uses at once leave one on). Another user's product: NotFound.
func (s *Service) Use(ctx context.Context, userID, id int64) (UserProduct, error) {
	return s.setStatus(ctx, userID, id, Used)
}

// Unuse takes a user's product off.
func (s *Service) Unuse(ctx context.Context, userID, id int64) (UserProduct, error) {
	return s.setStatus(ctx, userID, id, Unused)
}

func (s *Service) setStatus(ctx context.Context, userID, id int64, status int) (UserProduct, error) {
	var u UserProduct
	err := s.db.Unit(ctx, func(ctx context.Context, tx *store.Tx) error {
		var locked int64
		err := tx.QueryRow(ctx, "SELECT id FROM users WHERE id = ?"+tx.ForUpdate(), userID).Scan(&locked)
		if store.NoRows(err) {
			return errNoUserProduct
		}
		if err != nil {
			return errs.Wrap(err, "lock user")
		}
		q := "SELECT " + userProductCols + userProductsFrom + " AND u.id = ?"
		u, err = userProductOf(tx.QueryRow(ctx, q, userID, id))
		if store.NoRows(err) {
			return errNoUserProduct
		}
		if err != nil {
			return errs.Wrap(err, "read user product")
		}
		now := tx.Now().UnixMilli()
		if status == Used && u.Product.Category != nil {
			_, err := tx.Exec(ctx, `UPDATE user_products SET status = ?, updated_at = ?
				WHERE user_id = ? AND status = ? AND id <> ?
				AND product_id IN (SELECT id FROM exchange_products WHERE category_action = ?)`,
				Unused, now, userID, Used, id, u.Product.Category.Action)
			if err != nil {
				return errs.Wrap(err, "take off")
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE user_products SET status = ?, updated_at = ? WHERE id = ?", status, now, id); err != nil {
			return errs.Wrap(err, "put on")
		}
		u.Status = status
		return nil
	})
	return u, err
}
