package market

import (
	"context"
	"net/http"

	"plaza/internal/account"
	"plaza/internal/catalog"
	"plaza/internal/httpx"
	"plaza/internal/market"
	"plaza/internal/valid"
	"plaza/internal/wallet"
)

type categoryBody struct {
	PK     int64  `json:"pk"`
	Name   string `json:"name"`
	Desc   string `json:"desc"`
	Style  string `json:"style"`
	Action string `json:"action"`
}

type productBody struct {
	PK                 int64         `json:"pk"`
	Name               string        `json:"name"`
	Content            string        `json:"content"`
	Image              string        `json:"image"`
	Diamond            int64         `json:"diamond"`
	Bought             int64         `json:"bought"`
	ProductType        int           `json:"product_type"`
	ProductTypeDisplay string        `json:"product_type_display"`
	CreateTime         string        `json:"create_time"`
	CategoryDetail     *categoryBody `json:"category_detail,omitempty"`
}

var productTypes = map[int]string{catalog.ProductPhysical: "实物商品", catalog.ProductVirtual: "虚拟商品"}

// wireProduct shows a product; a virtual one's category has the product's
// pk (categories are kept with their product).
func (f *face) wireProduct(p market.Product) productBody {
	b := productBody{PK: p.ID, Name: p.Name, Content: p.Content, Image: p.Image, Diamond: p.Diamond, Bought: p.Bought,
		ProductType: p.Type, ProductTypeDisplay: productTypes[p.Type], CreateTime: f.time(p.CreatedAt)}
	if c := p.Category; c != nil {
		b.CategoryDetail = &categoryBody{PK: p.ID, Name: c.Name, Desc: c.Desc, Style: c.Style, Action: c.Action}
	}
	return b
}

type orderBody struct {
	Owner           string      `json:"owner"`
	ExchangeProduct productBody `json:"exchange_product"`
	OrderNumber     string      `json:"order_number"`
	Diamond         int64       `json:"diamond"`
	Status          int         `json:"status"`
	StatusDisplay   string      `json:"status_display"`
	CreateTime      string      `json:"create_time"`
}

var orderStatuses = map[int]string{market.OrderExchanged: "已兑换", market.OrderRefunded: "已退款"}

func (f *face) wireOrder(u account.User) func(market.Order) orderBody {
	return func(o market.Order) orderBody {
		return orderBody{Owner: u.Phone, ExchangeProduct: f.wireProduct(o.Product), OrderNumber: o.Number, Diamond: o.Diamond,
			Status: o.Status, StatusDisplay: orderStatuses[o.Status], CreateTime: f.time(o.CreatedAt)}
	}
}

type userProductBody struct {
	PK              int64       `json:"pk"`
	Owner           string      `json:"owner"`
	Status          int         `json:"status"`
	StatusDisplay   string      `json:"status_display"`
	CreateTime      string      `json:"create_time"`
	ExchangeProduct productBody `json:"exchange_product"`
}

var userProductStatuses = map[int]string{market.Unused: "未使用", market.Used: "已使用"}

func (f *face) wireUserProduct(u account.User) func(market.UserProduct) userProductBody {
	return func(p market.UserProduct) userProductBody {
		return userProductBody{PK: p.ID, Owner: u.Phone, Status: p.Status, StatusDisplay: userProductStatuses[p.Status],
			CreateTime: f.time(p.CreatedAt), ExchangeProduct: f.wireProduct(p.Product)}
	}
}

func (f *face) products(r *http.Request, p *httpx.Params) (any, error) {
	typ, err := choice(p, "_type")
	if err != nil {
		return nil, err
	}
	name, err := p.Str("name")
	if err == nil {
		err = valid.Line("name", name, 100)
	}
	if err != nil {
		return nil, err
	}
	return f.cached(r, func() (any, error) {
		return paged(f, r, p, func(offset, limit int) ([]market.Product, int, error) {
			return f.Market.Products(r.Context(), market.Filter{Type: typ, Name: name}, offset, limit)
		}, f.wireProduct)
	})
}

func (f *face) product(r *http.Request, _ *httpx.Params) (any, error) {
	id, err := httpx.PathID(r, "pk")
	if err != nil {
		return nil, err
	}
	pr, err := f.Market.Product(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return f.wireProduct(pr), nil
}

func (f *face) purchase(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	id, err := httpx.PathID(r, "pk")
	if err != nil {
		return nil, err
	}
	if _, err := f.Market.Purchase(r.Context(), u.ID, id); err != nil {
		return nil, err
	}
	return map[string]string{"message": "兑换成功"}, nil
}

func (f *face) orders(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	return paged(f, r, p, func(offset, limit int) ([]market.Order, int, error) {
		return f.Market.Orders(r.Context(), u.ID, offset, limit)
	}, f.wireOrder(u))
}

func (f *face) order(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	o, err := f.Market.Order(r.Context(), u.ID, r.PathValue("number"))
	if err != nil {
		return nil, err
	}
	return f.wireOrder(u)(o), nil
}

func (f *face) userProducts(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	typ, err := choice(p, "_type")
	if err != nil {
		return nil, err
	}
	status, err := choice(p, "status")
	if err != nil {
		return nil, err
	}
	return paged(f, r, p, func(offset, limit int) ([]market.UserProduct, int, error) {
		return f.Market.UserProducts(r.Context(), u.ID, market.Filter{Type: typ, Status: status}, offset, limit)
	}, f.wireUserProduct(u))
}

func (f *face) use(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	return f.setStatus(r, u, f.Market.Use)
}

func (f *face) unuse(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	return f.setStatus(r, u, f.Market.Unuse)
}

func (f *face) setStatus(r *http.Request, u account.User, set func(ctx context.Context, userID, id int64) (market.UserProduct, error)) (any, error) {
	id, err := httpx.PathID(r, "pk")
	if err != nil {
		return nil, err
	}
	up, err := set(r.Context(), u.ID, id)
	if err != nil {
		return nil, err
	}
	return f.wireUserProduct(u)(up), nil
}

type userInfoBody struct {
	PK    int64             `json:"pk"`
	Owner string            `json:"owner"`
	Name  string            `json:"name"`
	Props []userProductBody `json:"props"`
}

func (f *face) userInfo(r *http.Request, _ *httpx.Params, u account.User) (any, error) {
	used, err := f.Market.Used(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return userInfoBody{PK: u.ID, Owner: u.Phone, Name: u.Nickname, Props: wireAll(used, f.wireUserProduct(u))}, nil
}

type diamondRecordBody struct {
	PK         int64  `json:"pk"`
	Diamond    int64  `json:"diamond"` // signed: + came in, - went out
	Balance    int64  `json:"balance"` // after it
	Kind       string `json:"kind"`
	Reason     string `json:"reason"`
	CreateTime string `json:"create_time"`
}

func (f *face) diamondRecords(r *http.Request, p *httpx.Params, u account.User) (any, error) {
	return paged(f, r, p, func(offset, limit int) ([]wallet.Entry, int, error) {
		return f.Wallet.LedgerAt(r.Context(), u.ID, wallet.Diamond, offset, limit)
	}, func(e wallet.Entry) diamondRecordBody {
		return diamondRecordBody{PK: e.ID, Diamond: e.Amount, Balance: e.Balance, Kind: string(e.Kind), Reason: e.Reason, CreateTime: f.time(e.CreatedAt)}
	})
}
